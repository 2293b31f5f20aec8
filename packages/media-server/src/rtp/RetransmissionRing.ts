/**
 * The last packets a sender sent, by sequence number, to answer Generic NACKs (RFC 4585 §6.2.1)
 * with retransmissions. It holds the protected packets themselves: resending the same SRTP bytes
 * is a valid retransmission without RTX (same SSRC, sequence number and ROC), and costs no crypto.
 *
 * Packets are kept for a time, not a count: a retransmission later than a few round trips is
 * useless to a receiver's jitter buffer, and a count sized for high bit rates would hold seconds
 * of a low-rate stream (memory is most of what a session costs). Janus keeps 200 ms at least.
 */
export class RetransmissionRing {
  private readonly seqs: Int32Array;
  private readonly sentMs: Float64Array;
  private readonly packets: (Buffer | undefined)[];
  private readonly mask: number;
  /** The oldest slot that may still hold a packet: expiry walks from here toward the newest. */
  private tail = 0;
  private newest = -1;

  /**
   * @param size slots, a power of two: the most packets held (512 is 0.5 s at 8 Mbit/s)
   * @param maxAgeMs how long a packet is kept for retransmission
   */
  constructor(
    size = 512,
    private readonly maxAgeMs = 500,
  ) {
    if (size <= 0 || (size & (size - 1)) !== 0) throw new RangeError('ring size must be a power of two');
    this.mask = size - 1;
    this.seqs = new Int32Array(size).fill(-1);
    this.sentMs = new Float64Array(size);
    this.packets = new Array<Buffer | undefined>(size).fill(undefined);
  }

  /** Remembers the packet sent with sequence number `seq` at `nowMs`, and lets go of expired ones. */
  put(seq: number, packet: Buffer, nowMs: number): void {
    const slot = seq & this.mask;
    this.seqs[slot] = seq;
    this.sentMs[slot] = nowMs;
    this.packets[slot] = packet;
    this.newest = slot;
    this.expire(nowMs);
  }

  /** The packet sent with `seq`, if it is still held and not older than the age limit. */
  get(seq: number, nowMs: number): Buffer | undefined {
    const slot = seq & this.mask;
    if (this.seqs[slot] !== seq || nowMs - (this.sentMs[slot] ?? 0) > this.maxAgeMs) return undefined;
    return this.packets[slot];
  }

  /** Forgets everything (e.g. when the stream's keys change). */
  clear(): void {
    this.seqs.fill(-1);
    this.packets.fill(undefined);
    this.tail = 0;
    this.newest = -1;
  }

  /** Drops expired packets from the oldest on; amortised O(1) per put. */
  private expire(nowMs: number): void {
    const limit = nowMs - this.maxAgeMs;
    let t = this.tail;
    while (t !== this.newest && (this.seqs[t] === -1 || (this.sentMs[t] ?? 0) < limit)) {
      this.seqs[t] = -1;
      this.packets[t] = undefined;
      t = (t + 1) & this.mask;
    }
    this.tail = t;
  }
}
