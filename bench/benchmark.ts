/**
 * A whole benchmark run: every system at every N (each from a fresh server), then, if asked, a
 * search for the largest N each system serves under a loss limit (1 % unless asked). Systems alternate at each N so
 * that background load on the machine hits both alike.
 */
import { cpus, release } from 'node:os';
import { MACHINE_CORES } from './lib/cpuPinning.js';
import { type FloorResult, measureFloor, nativeFloorAvailable } from './floor/floor.js';
import { measure, type MeasureOptions, type Measurement } from './measurement.js';
import type { Progress } from './lib/progress.js';
import type { Target } from './targets/target.js';

export interface SearchOptions {
  /** Largest N tried. */
  maxN: number;
  /** Window of each trial, seconds (shorter than the main runs'). */
  windowSeconds: number;
  /** Stop when the bracket is this narrow (fraction of the passing N, at least 5 sessions). */
  resolution: number;
  /** A trial passes below this packet loss, per cent (LOSS_LIMIT_PERCENT unless asked). */
  lossLimitPercent: number;
}

export interface BenchOptions extends MeasureOptions {
  ns: number[];
  search: SearchOptions | undefined;
  /** Measure the floors (bench/floor) at each N's packet rate. */
  floor: boolean;
  pinned: boolean;
  command: string;
}

export interface SearchResult {
  system: string;
  /** Largest N measured with the verdict 'pass' (undefined: none passed). */
  maxN: number | undefined;
  /** The N that ended the search, and why: the server failed it, the load client could not
   * offer it (with cores of its own; 'machine': sharing them with the server), or the search
   * reached its limit with everything passing. */
  stoppedAt: number | undefined;
  limitedBy: 'server' | 'load client' | 'machine' | 'search limit';
  trials: Measurement[];
}

export interface BenchResults {
  date: string;
  command: string;
  machine: { cores: number; cpuModel: string; kernel: string; node: string; serverCore: number | undefined; clientCore: number | undefined; pinned: boolean };
  options: { ns: number[]; warmupSeconds: number; windowSeconds: number; setupConcurrency: number; traffic: MeasureOptions['traffic']; search: SearchOptions | undefined };
  measurements: Measurement[];
  search: SearchResult[];
  /** The floors at each N's packet rate (empty with --no-floor); the native one is absent when the addon is not built. */
  floors: FloorPoint[];
  /** The recorder and processing points, run after the echo sessions (bench/sideBenches.ts). */
  sections?: { title: string; markdown: string }[];
}

/** What SRTP forwarding costs at least at N sessions' packet rate, in an echo that does nothing else. */
export interface FloorPoint {
  n: number;
  pps: number;
  node: FloorResult;
  native: FloorResult | undefined;
}

export const LOSS_LIMIT_PERCENT = 1;

/**
 * Sessions that must come up for a point to count at all. Not all of them: sessions that never
 * connect are a setup bug, shown in the table and reported on their own; the search is about
 * how much media the server forwards without loss, and should not stop at a chance failure.
 */
export const MIN_ECHOING_FRACTION = 0.8;
/** Below this share of its target rate the load client, not the server, is what was measured. */
export const MIN_OFFERED_FRACTION = 0.97;

export type Verdict = 'pass' | 'fail' | 'client-bound';

/**
 * 'pass': packet loss (over the sessions that are up) under the limit; 'client-bound': the
 * client could not send its load, so the point says nothing about the server's capacity.
 */
export function verdict(m: Measurement, lossLimitPercent = LOSS_LIMIT_PERCENT): Verdict {
  if (m.echoing < MIN_ECHOING_FRACTION * m.n || !(m.lossPercent < lossLimitPercent)) return 'fail';
  if (m.sentPps < MIN_OFFERED_FRACTION * m.expectedPps) return 'client-bound';
  return 'pass';
}

export async function runBenchmark(targets: readonly Target[], options: BenchOptions, progress: Progress): Promise<BenchResults> {
  const measurements: Measurement[] = [];
  const floors: FloorPoint[] = [];
  for (const n of options.ns) {
    for (const target of targets) {
      const m = await measure(target, n, options, progress);
      progress.line(`${target.name} N=${n}: CPU ${m.serverCpuPercent} %, ${m.cpuMicrosPerPacket} µs/packet, loss ${m.lossPercent} %, latency median ${m.echoLatencyMs.median} ms`);
      measurements.push(m);
    }
    if (options.floor) floors.push(await floorAt(n, options, progress));
  }
  const search: SearchResult[] = [];
  if (options.search) {
    for (const target of targets) {
      search.push(await searchMaxN(target, measurements.filter((m) => m.system === target.name), options, options.search, progress));
    }
  }
  return {
    date: new Date().toISOString(),
    command: options.command,
    machine: {
      cores: MACHINE_CORES,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      kernel: release(),
      node: process.version,
      serverCore: options.serverCore,
      clientCore: options.clientCore,
      pinned: options.pinned,
    },
    options: { ns: options.ns, warmupSeconds: options.warmupSeconds, windowSeconds: options.windowSeconds, setupConcurrency: options.setupConcurrency, traffic: options.traffic, search: options.search },
    measurements,
    search,
    floors,
  };
}

/** The bench's packet mix per session: video packets of the traffic's size and 50 audio packets a second. */
function floorMix(options: BenchOptions): { pps: number; videoShare: number; videoBytes: number; audioBytes: number } {
  const t = options.traffic;
  const videoPps = Math.max(1, Math.round((t.videoKbps * 1000) / 8 / t.fps / t.videoPacketBytes)) * t.fps;
  return { pps: videoPps + t.audioPps, videoShare: videoPps / (videoPps + t.audioPps), videoBytes: t.videoPacketBytes, audioBytes: t.audioPacketBytes };
}

async function floorAt(n: number, options: BenchOptions, progress: Progress): Promise<FloorPoint> {
  const mix = floorMix(options);
  const pps = n * mix.pps;
  const floorOptions = { ...mix, pps, seconds: Math.min(5, options.windowSeconds), core: options.serverCore };
  progress.line(`floor N=${n}: ${pps} packets/s through a bare SRTP echo`);
  const node = await measureFloor('node', floorOptions);
  const native = nativeFloorAvailable() ? await measureFloor('native', floorOptions) : undefined;
  progress.line(`floor N=${n}: node ${node.cpuMicrosPerPacket} µs/packet (loss ${node.lossPercent} %), native ${native ? `${native.cpuMicrosPerPacket} µs/packet (loss ${native.lossPercent} %)` : 'not built'}`);
  return { n, pps, node, native };
}

/**
 * Brackets the largest passing N: starts from what the N list showed, grows by half while it
 * passes, then bisects towards the first failing N. A client-bound point ends the search when
 * client and server have cores of their own: past it the load client, not the server, would be
 * measured (unpinned, it is bisected like a failure). Trials use a shorter window.
 */
async function searchMaxN(target: Target, known: readonly Measurement[], options: BenchOptions, search: SearchOptions, progress: Progress): Promise<SearchResult> {
  const trials: Measurement[] = [];
  const judge = (m: Measurement) => verdict(m, search.lossLimitPercent);
  const sorted = [...known].sort((a, b) => a.n - b.n);
  let low = sorted.filter((m) => judge(m) === 'pass').reduce<number | undefined>((best, m) => Math.max(best ?? 0, m.n), undefined);
  let stop = sorted.find((m) => judge(m) !== 'pass' && m.n > (low ?? 0));
  const trial = async (n: number) => {
    progress.line(`${target.name}: searching the largest N with < ${search.lossLimitPercent} % loss, trying N=${n}`);
    const m = await measure(target, n, { ...options, windowSeconds: search.windowSeconds }, progress);
    progress.line(`${target.name} N=${n}: loss ${m.lossPercent} %, ${m.echoing}/${n} echoing, sent ${m.sentPps}/${m.expectedPps} packets/s, server CPU ${m.serverCpuPercent} %, client CPU ${m.clientCpuPercent} % → ${judge(m)}`);
    trials.push(m);
    return m;
  };
  while (stop === undefined) {
    const n = Math.min(search.maxN, Math.ceil(((low ?? 1) * 1.5) / 10) * 10);
    if (low !== undefined && n <= low) return { system: target.name, maxN: low, stoppedAt: low, limitedBy: 'search limit', trials };
    const m = await trial(n);
    if (judge(m) === 'pass') low = n;
    else stop = m;
  }
  // Unpinned, the client shares the cores with the server: a client-bound trial is then the
  // machine's limit as much as the client's, so the bracket narrows on it too.
  const narrowing = (m: Measurement) => judge(m) === 'fail' || (!options.pinned && judge(m) === 'client-bound');
  while (narrowing(stop)) {
    const lo = low ?? 0;
    if (stop.n - lo <= Math.max(5, Math.round(lo * search.resolution))) break;
    const m = await trial(Math.round((lo + stop.n) / 2));
    if (judge(m) === 'pass') low = m.n;
    else stop = m;
  }
  return { system: target.name, maxN: low, stoppedAt: stop.n, limitedBy: judge(stop) === 'fail' ? 'server' : options.pinned ? 'load client' : 'machine', trials };
}
