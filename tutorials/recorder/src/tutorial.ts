/** The recorder tutorial as the kit starts it: its names, its page, and a RecorderSession per page. */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Tutorial } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';
import { RecorderSession } from './session.js';

/**
 * A page's recording: a WebM file of its own in the system temp directory, which the media
 * server's default media roots include (Kurento's tutorial records to /tmp too). The path is the
 * media server's: an external one on another machine writes it there.
 */
export const recordingUri = (): string => pathToFileURL(join(tmpdir(), `kurento-ts-recording-${randomUUID().slice(0, 8)}.webm`)).href;

/** The recorder tutorial, for runTutorial/startTutorial. */
export const recorder: Tutorial<ServerMessage> = {
  title: 'Recorder',
  name: 'recorder',
  envPrefix: 'RECORDER',
  command: 'npm start -w tutorials/recorder',
  summary: 'Open the printed https:// address, choose what to record, press Start, then Stop and Play.',
  hint: 'press Start, then Stop and Play',
  signallingPath: '/recording',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => ({ open: (send) => new RecorderSession(kurento, recordingUri, send, onFault) }),
};
