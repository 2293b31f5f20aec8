/**
 * The floor under a media server on this machine, at several packet rates: an echo process that
 * does per packet only what SRTP forwarding cannot avoid (receive, authenticate and decrypt,
 * encrypt, send), pinned like the bench's servers (core 1, this sender on core 0), fed valid
 * SRTP (every tag checks) in the bench's packet mix. Two floors (bench/floor/echo.ts):
 *   node   — node:dgram and our TypeScript SrtpContext (a node:crypto cipher per packet);
 *   native — the addon's socket (recvmmsg/sendmmsg) and in-place SRTP, JS touching each packet.
 * Our server's CPU per packet is best read against them (docs/performance.md).
 *
 *   npx tsx bench/node-floor.ts [--seconds 4]
 */
import { parseArgs } from 'node:util';
import { measureFloor, nativeFloorAvailable, type FloorResult } from './floor/floor.js';
import { pinSelf } from './lib/cpuPinning.js';
import { nativeStatus } from '../packages/native/src/index.js';

/** The bench's mix: 150 video packets of 1,200 bytes and 50 audio packets of 148 bytes per session-second. */
export const FLOOR_MIX = { videoShare: 0.75, videoBytes: 1200, audioBytes: 148 };

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '4' } } });
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds: expected a positive number, got "${values.seconds}"`);
const pinned = pinSelf(0);
const core = pinned ? 1 : undefined;
const native = nativeFloorAvailable();
console.log(`# echo pinned to core ${core ?? '(not pinned)'}; ${native ? 'native floor measured' : `no native floor: ${nativeStatus().reason}`}\n`);
console.log('| packets/s | sent every | node floor µs/packet | node floor loss % | native floor µs/packet | native floor loss % |\n|---:|---:|---:|---:|---:|---:|');
const cell = (r: FloorResult | undefined) => (r ? `${r.cpuMicrosPerPacket.toFixed(1)} | ${r.lossPercent.toFixed(2)}` : '– | –');
// At low rates each packet wakes the echo process on its own; at high rates a wake-up finds several.
for (const [pps, everyMs] of [[200, 5], [2000, 1], [20_000, 1], [40_000, 1]] as const) {
  const options = { pps, seconds, core, everyMs, ...FLOOR_MIX };
  const node = await measureFloor('node', options);
  const nat = native ? await measureFloor('native', options) : undefined;
  console.log(`| ${pps} | ${everyMs} ms | ${cell(node)} | ${cell(nat)} |`);
}
process.exit(0);
