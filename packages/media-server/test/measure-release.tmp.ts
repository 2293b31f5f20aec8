import { RawRpc } from './helpers/rpc.js';
import { startServer } from './helpers/server.js';
const server = await startServer({ maxRequestsPerSecond: 0, maxObjectsPerSession: 100000, logLevel: 'error' });
const rpc = await RawRpc.open(server.url);
const N = Number(process.argv[2] ?? 1000);
const mode = process.argv[3] ?? 'pipeline';
const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
let t = performance.now();
for (let i = 0; i < N; i++) { const e = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } }); await rpc.invoke(e, 'generateOffer'); }
console.log(`create+offer ${N}: ${(performance.now() - t).toFixed(0)} ms`);
t = performance.now();
let lag = 0; const iv = setInterval(() => {}, 1000); 
const probe = (async () => { let max = 0; const end = Date.now() + 60000; while (server.registry.size > 1 && Date.now() < end) { const a = performance.now(); await new Promise((r) => setImmediate(r)); max = Math.max(max, performance.now() - a); } lag = max; })();
if (mode === 'pipeline') await rpc.value('release', { object: pipeline }); else await rpc.value('closeSession');
console.log(`${mode} release answered in ${(performance.now() - t).toFixed(0)} ms`);
await probe; clearInterval(iv);
console.log(`all gone in ${(performance.now() - t).toFixed(0)} ms; longest event-loop block ${lag.toFixed(0)} ms`);
await rpc.close(); await server.stop();
