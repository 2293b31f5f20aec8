import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RawRpc } from './helpers/rpc.js';
import { startServer } from './helpers/server.js';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const server = await startServer({ maxRequestsPerSecond: 0, maxObjectsPerSession: 100000 });
const rpc = await RawRpc.open(server.url);
async function snap() { for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 50)); } const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed, ext: m.external + m.arrayBuffers, fds: readdirSync('/proc/self/fd').length }; }
const N = Number(process.argv[2] ?? 500);
const kind = process.argv[3] ?? 'offer';
const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
const warm = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
await rpc.invoke(warm, 'generateOffer');
const a = await snap();
for (let i = 0; i < N; i++) {
  if (kind === 'pipeline') { await rpc.value('create', { type: 'MediaPipeline' }); continue; }
  if (kind === 'passthrough') { await rpc.value('create', { type: 'PassThrough', constructorParams: { mediaPipeline: pipeline } }); continue; }
  const e = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
  if (kind === 'offer') await rpc.invoke(e, 'generateOffer');
}
const b = await snap();
console.log(kind, N, 'per object KB: rss', ((b.rss - a.rss) / N / 1024).toFixed(1), 'heap', ((b.heap - a.heap) / N / 1024).toFixed(1), 'ext', ((b.ext - a.ext) / N / 1024).toFixed(1), 'fds', ((b.fds - a.fds) / N).toFixed(2));
await rpc.close(); await server.stop();
