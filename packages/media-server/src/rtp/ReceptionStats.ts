/**
 * Reception statistics of one RTP stream from a peer (RFC 3550 §6.4.1, appendix A.3 and A.8),
 * kept on the fast path with a few arithmetic operations per packet, and turned into a report
 * block for our RTCP receiver reports once a second.
 */
import { StatsCell } from '@kurento-ts/native';

/** Bytes of one RTCP report block. */
export const REPORT_BLOCK_BYTES = 24;

export class ReceptionStats {
  /**
   * What each packet changes, in a ledger a forwarding lane books in C as onPacket does
   * (@kurento-ts/native's ledgers): received, base and highest sequence numbers, jitter, transit.
   */
  readonly cells = new Float64Array(StatsCell.size);
  /** The fraction lost (0..1) our last report block said, over the interval before it. */
  fractionLost = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** Middle 32 bits of the NTP time of the last sender report, and when it came (performance.now() ms). */
  private lastSr = 0;
  private lastSrAtMs = 0;

  constructor(
    readonly ssrc: number,
    private readonly clockRate: number,
  ) {
    const cells = this.cells;
    cells[StatsCell.baseSeq] = -1;
    cells[StatsCell.maxExtended] = -1;
    cells[StatsCell.lastTransit] = Number.NaN;
    cells[StatsCell.clockRate] = clockRate;
  }

  get received(): number {
    return this.cells[StatsCell.received] ?? 0;
  }

  private get baseSeq(): number {
    return this.cells[StatsCell.baseSeq] ?? -1;
  }

  /** Highest sequence number seen, extended with its wrap count. */
  private get maxExtended(): number {
    return this.cells[StatsCell.maxExtended] ?? -1;
  }

  /** Interarrival jitter in timestamp units, scaled by 16 as RFC 3550 A.8 suggests. */
  private get jitter16(): number {
    return this.cells[StatsCell.jitter16] ?? 0;
  }

  /** Hot path: one packet arrived. */
  onPacket(seq: number, timestamp: number, nowMs: number): void {
    const cells = this.cells;
    cells[StatsCell.received] = (cells[StatsCell.received] ?? 0) + 1;
    const maxExtended = cells[StatsCell.maxExtended] ?? -1;
    if (maxExtended < 0) {
      cells[StatsCell.baseSeq] = seq;
      cells[StatsCell.maxExtended] = seq;
    } else {
      const delta = (seq - (maxExtended & 0xffff)) & 0xffff;
      if (delta > 0 && delta < 0x8000) cells[StatsCell.maxExtended] = maxExtended + delta;
    }
    const transit = (nowMs * this.clockRate) / 1000 - timestamp;
    const lastTransit = cells[StatsCell.lastTransit] ?? Number.NaN;
    if (!Number.isNaN(lastTransit)) {
      let d = transit - lastTransit;
      if (d < 0) d = -d;
      // Timestamps jump by whole frames while arrivals do not: ignore absurd values (a wrap).
      const jitter16 = cells[StatsCell.jitter16] ?? 0;
      if (d < this.clockRate * 10) cells[StatsCell.jitter16] = jitter16 + d - jitter16 / 16;
    }
    cells[StatsCell.lastTransit] = transit;
  }

  /** Packets lost so far (RFC 3550 A.3: expected minus received; duplicates can make it negative). */
  get packetsLost(): number {
    return this.maxExtended < 0 ? 0 : this.maxExtended - this.baseSeq + 1 - this.received;
  }

  /** Interarrival jitter in seconds. */
  get jitterSeconds(): number {
    return this.jitter16 / 16 / this.clockRate;
  }

  /** A sender report for this SSRC arrived (for LSR and DLSR). */
  onSenderReport(ntpMiddle32: number, nowMs: number): void {
    this.lastSr = ntpMiddle32 >>> 0;
    this.lastSrAtMs = nowMs;
  }

  /** Writes this stream's report block at `offset`; call once per report (it advances the loss interval). */
  writeBlock(out: Buffer, offset: number, nowMs: number): number {
    const expected = this.maxExtended < 0 ? 0 : this.maxExtended - this.baseSeq + 1;
    const lost = Math.max(-0x800000, Math.min(0x7fffff, expected - this.received));
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    this.fractionLost = fraction / 256;
    out.writeUInt32BE(this.ssrc >>> 0, offset);
    out.writeUInt32BE(((fraction << 24) | (lost & 0xffffff)) >>> 0, offset + 4);
    out.writeUInt32BE(Math.max(0, this.maxExtended) >>> 0, offset + 8);
    out.writeUInt32BE(Math.floor(this.jitter16 / 16) >>> 0, offset + 12);
    out.writeUInt32BE(this.lastSr, offset + 16);
    const dlsr = this.lastSr === 0 ? 0 : Math.min(0xffffffff, Math.round(((nowMs - this.lastSrAtMs) / 1000) * 65536));
    out.writeUInt32BE(dlsr >>> 0, offset + 20);
    return offset + REPORT_BLOCK_BYTES;
  }
}
