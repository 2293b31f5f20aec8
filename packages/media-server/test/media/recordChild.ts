/**
 * A process that records: plays a fixture into a RecordingSink writing `out` with `profile`,
 * and prints "recording" once the file has started. The crash test kills it with SIGKILL.
 * Usage: node --import tsx recordChild.ts <fixture> <out> <profile>
 */
import { MediaFileSource } from '../../src/media/MediaFileSource.js';
import { RecordingSink } from '../../src/media/RecordingSink.js';
import { playInto } from './mediaTools.js';

const [fixture = '', out = '', profile = 'WEBM'] = process.argv.slice(2);
const probe = await MediaFileSource.open({ kind: 'file', path: fixture }, { rtp: () => undefined, endOfStream: () => undefined, error: () => undefined });
const codecs = Object.fromEntries(probe.sentTracks.map((t) => [t.kind, t.codec]));
probe.close();
const sink = new RecordingSink({
  target: { kind: 'file', path: out },
  profile,
  codecs,
  events: { keyframeNeeded: () => undefined, started: () => process.stdout.write('recording\n'), error: (e) => process.stderr.write(`${e.message}\n`) },
});
await playInto({ kind: 'file', path: fixture }, sink, { seconds: 60 });
await sink.stop();
process.stdout.write('stopped\n');
