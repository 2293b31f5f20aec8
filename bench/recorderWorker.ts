/**
 * The recorder benchmark's kurento-ts process: N recordings, each fed by two UDP sockets on
 * 127.0.0.1 (video on `base + 4i`, audio on `base + 4i + 2`, the spacing ffmpeg's RTP input
 * needs), each packet handed to a RecordingSink as the RecorderEndpoint's packet path will.
 * On SIGTERM it stops every recording and prints one JSON line with what was written.
 *
 *   tsx bench/recorderWorker.ts <n> <basePort> <outDir> [profile]
 */
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { RecordingSink } from '../packages/media-server/src/media/RecordingSink.js';
import type { RtpCodec } from '../packages/media-server/src/types/media.js';

const [n = '1', base = '30000', out = '/tmp', profile = 'WEBM'] = process.argv.slice(2);
const vp8: RtpCodec = { mimeType: 'video/VP8', clockRate: 90000, parameters: {}, payloadType: 96 };
const opus: RtpCodec = { mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: {}, payloadType: 111 };
const sinks: RecordingSink[] = [];
const sockets: Socket[] = [];
const errors: string[] = [];

for (let i = 0; i < Number(n); i++) {
  const sink = new RecordingSink({
    target: { kind: 'file', path: join(out, `kts-${i}.webm`) },
    profile,
    codecs: { video: vp8, audio: opus },
    events: { keyframeNeeded: () => undefined, error: (e) => errors.push(e.message) },
  });
  sinks.push(sink);
  for (const [kind, port] of [['video', Number(base) + 4 * i], ['audio', Number(base) + 4 * i + 2]] as const) {
    const socket = createSocket('udp4');
    socket.on('message', (packet) => sink.pushRtp(kind, packet));
    socket.bind(port, '127.0.0.1');
    sockets.push(socket);
  }
}
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  for (const socket of sockets) socket.close();
  void Promise.all(sinks.map((s) => s.stop())).then((results) => {
    process.stdout.write(`${JSON.stringify({ results, errors })}\n`);
    process.exit(0);
  });
});
