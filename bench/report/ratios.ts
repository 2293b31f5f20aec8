/** Ours against Janus, figure by figure, at each N both systems were measured at. */
import type { Measurement } from '../measurement.js';

export interface Figure {
  key: string;
  label: string;
  get(m: Measurement): number;
}

/** The figures that get a ratio; lower is better for all of them. */
export const RATIO_FIGURES: readonly Figure[] = [
  { key: 'cpu', label: 'server CPU', get: (m) => m.serverCpuPercent },
  { key: 'usPerPacket', label: 'CPU µs/packet', get: (m) => m.cpuMicrosPerPacket },
  { key: 'rssPerSession', label: 'RSS/session', get: (m) => m.rssPerSessionMB },
  { key: 'firstEchoMedian', label: 'first echo median', get: (m) => m.firstEchoMs.median },
  { key: 'firstEchoP95', label: 'first echo p95', get: (m) => m.firstEchoMs.p95 },
  { key: 'latencyMedian', label: 'echo latency median', get: (m) => m.echoLatencyMs.median },
  { key: 'latencyP95', label: 'echo latency p95', get: (m) => m.echoLatencyMs.p95 },
  { key: 'loss', label: 'loss', get: (m) => m.lossPercent },
];

export interface RatioRow {
  n: number;
  /** figure key → ours / theirs; NaN where the ratio means nothing (a zero or missing figure). */
  ratios: Record<string, number>;
}

export function ratios(measurements: readonly Measurement[], ours: string, theirs: string): RatioRow[] {
  const rows: RatioRow[] = [];
  for (const a of measurements) {
    if (a.system !== ours) continue;
    const b = measurements.find((m) => m.system === theirs && m.n === a.n);
    if (!b) continue;
    const r: Record<string, number> = {};
    for (const f of RATIO_FIGURES) {
      const x = f.get(a);
      const y = f.get(b);
      r[f.key] = Number.isFinite(x) && Number.isFinite(y) && y > 0 && x >= 0 ? x / y : Number.NaN;
    }
    rows.push({ n: a.n, ratios: r });
  }
  return rows;
}
