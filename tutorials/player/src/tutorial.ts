/** The player tutorial as the kit starts it: its names, its page, and a PlayerSession per page. */
import { fileURLToPath } from 'node:url';
import type { Tutorial } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';
import { PlayerSession } from './session.js';

/** The player tutorial, for runTutorial/startTutorial. */
export const player: Tutorial<ServerMessage> = {
  title: 'Player',
  name: 'player',
  envPrefix: 'PLAYER',
  command: 'npm start -w tutorials/player',
  summary: 'Open the printed https:// address, type the URL of a video (http(s):// or file:// within the media roots) and press Start.',
  hint: 'type a video URL and press Start',
  signallingPath: '/player',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => ({ open: (send) => new PlayerSession(kurento, send, onFault) }),
};
