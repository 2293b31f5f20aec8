/**
 * A whole benchmark run: every system at every N (each from a fresh server), then, if asked, a
 * search for the largest N each system serves with under 1 % loss. Systems alternate at each N so
 * that background load on the machine hits both alike.
 */
import { cpus, release } from 'node:os';
import { MACHINE_CORES } from './lib/cpuPinning.js';
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
}

export interface BenchOptions extends MeasureOptions {
  ns: number[];
  search: SearchOptions | undefined;
  clientCore: number | undefined;
  pinned: boolean;
  command: string;
}

export interface SearchResult {
  system: string;
  /** Largest N measured that `passes` (undefined: none passed). */
  maxN: number | undefined;
  /** Smallest N that failed, when one did. */
  failedAt: number | undefined;
  /** Whether the client, not the server, was saturated at the failing point. */
  clientBound: boolean;
  trials: Measurement[];
}

export interface BenchResults {
  date: string;
  command: string;
  machine: { cores: number; cpuModel: string; kernel: string; node: string; serverCore: number | undefined; clientCore: number | undefined; pinned: boolean };
  options: { ns: number[]; warmupSeconds: number; windowSeconds: number; setupConcurrency: number; traffic: MeasureOptions['traffic']; search: SearchOptions | undefined };
  measurements: Measurement[];
  search: SearchResult[];
}

export const LOSS_LIMIT_PERCENT = 1;

/** Sessions that must come up for a point to count as served. */
export const MIN_ECHOING_FRACTION = 0.95;

/**
 * Whether a measurement counts as served: packet loss under the limit, and (nearly) every session
 * up. Not every single one: a rare session that never connects is a setup bug to fix and is shown
 * in the table, but it should not decide the capacity figure by chance.
 */
export function passes(m: Measurement): boolean {
  return m.echoing >= MIN_ECHOING_FRACTION * m.n && m.lossPercent < LOSS_LIMIT_PERCENT;
}

export async function runBenchmark(targets: readonly Target[], options: BenchOptions, progress: Progress): Promise<BenchResults> {
  const measurements: Measurement[] = [];
  for (const n of options.ns) {
    for (const target of targets) {
      const m = await measure(target, n, options, progress);
      progress.line(`${target.name} N=${n}: CPU ${m.serverCpuPercent} %, ${m.cpuMicrosPerPacket} µs/packet, loss ${m.lossPercent} %, latency median ${m.echoLatencyMs.median} ms`);
      measurements.push(m);
    }
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
  };
}

/**
 * Brackets the largest passing N: starts from what the N list showed, grows by half while it
 * passes, then bisects. Each trial is a full measurement with a shorter window.
 */
async function searchMaxN(target: Target, known: readonly Measurement[], options: BenchOptions, search: SearchOptions, progress: Progress): Promise<SearchResult> {
  const trials: Measurement[] = [];
  const sorted = [...known].sort((a, b) => a.n - b.n);
  let low = sorted.filter(passes).reduce<number | undefined>((best, m) => Math.max(best ?? 0, m.n), undefined);
  let failing = sorted.find((m) => !passes(m) && m.n > (low ?? 0));
  const trial = async (n: number) => {
    progress.line(`${target.name}: searching the largest N with < ${LOSS_LIMIT_PERCENT} % loss, trying N=${n}`);
    const m = await measure(target, n, { ...options, windowSeconds: search.windowSeconds }, progress);
    progress.line(`${target.name} N=${n}: loss ${m.lossPercent} %, ${m.echoing}/${n} echoing, server CPU ${m.serverCpuPercent} %, client CPU ${m.clientCpuPercent} % → ${passes(m) ? 'pass' : 'fail'}`);
    trials.push(m);
    return m;
  };
  while (failing === undefined) {
    const n = Math.min(search.maxN, Math.ceil(((low ?? 1) * 1.5) / 10) * 10);
    if (low !== undefined && n <= low) break; // reached maxN with everything passing
    const m = await trial(n);
    if (passes(m)) low = n;
    else failing = m;
  }
  while (failing !== undefined) {
    const lo = low ?? 0;
    const step = Math.max(5, Math.round(lo * search.resolution));
    if (failing.n - lo <= step) break;
    const n = Math.round((lo + failing.n) / 2);
    const m = await trial(n);
    if (passes(m)) low = n;
    else failing = m;
  }
  return {
    system: target.name,
    maxN: low,
    failedAt: failing?.n,
    clientBound: failing !== undefined && (failing.clientSkippedPackets > 0 || failing.clientCpuPercent > 90),
    trials,
  };
}
