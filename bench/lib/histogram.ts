/**
 * A fixed-bucket latency histogram: recording is an array increment, so the load client's
 * receive path allocates nothing per packet however many samples a run takes.
 */
export class LatencyHistogram {
  private readonly counts: Uint32Array;
  private total = 0;

  /** Buckets of `resolutionMs` up to `maxMs`; slower samples land in the last bucket. */
  constructor(
    private readonly resolutionMs = 0.01,
    maxMs = 5000,
  ) {
    this.counts = new Uint32Array(Math.ceil(maxMs / resolutionMs) + 1);
  }

  record(ms: number): void {
    const index = ms <= 0 ? 0 : Math.min(this.counts.length - 1, Math.floor(ms / this.resolutionMs));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
  }

  get count(): number {
    return this.total;
  }

  /** The value below which `p` (0..1) of the samples lie, at the bucket's midpoint; NaN if empty. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return (i + 0.5) * this.resolutionMs;
    }
    return (this.counts.length - 0.5) * this.resolutionMs;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

/** Percentile of a small array of samples (nearest rank); NaN if empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
