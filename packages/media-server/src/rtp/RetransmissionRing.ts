/**
 * The last packets a sender sent, by sequence number, to answer Generic NACKs (RFC 4585 §6.2.1)
 * with retransmissions. It holds the protected packets themselves: resending the same SRTP bytes
 * is a valid retransmission without RTX (same SSRC, sequence number and ROC), and costs no crypto.
 *
 * The bytes are copied into one slab allocated once, not kept as Buffers: a Buffer held for half
 * a second outlives two young-generation collections and is promoted, and at thousands of packets
 * a second those promotions were what made V8 run full collections every second.
 *
 * Packets are kept for a time as well as a count: a retransmission later than a few round trips
 * is useless to a receiver's jitter buffer (Janus keeps 200 ms at least, more with a long RTT).
 */
export class RetransmissionRing {
  private readonly seqs: Int32Array;
  private readonly lengths: Uint16Array;
  private readonly sentMs: Float64Array;
  private slab: Buffer | undefined;
  private readonly mask: number;

  /**
   * @param size slots, a power of two: the most packets held (128 is 0.5 s at 2.5 Mbit/s)
   * @param maxAgeMs how long a packet is kept for retransmission
   * @param slotBytes largest packet kept (bigger ones are sent but not kept)
   */
  constructor(
    size = 128,
    private readonly maxAgeMs = 500,
    private readonly slotBytes = 1500,
  ) {
    if (size <= 0 || (size & (size - 1)) !== 0) throw new RangeError('ring size must be a power of two');
    this.mask = size - 1;
    this.seqs = new Int32Array(size).fill(-1);
    this.lengths = new Uint16Array(size);
    this.sentMs = new Float64Array(size);
  }

  /** Keeps a copy of the packet sent with sequence number `seq` at `nowMs`. */
  put(seq: number, packet: Buffer, nowMs: number): void {
    const slot = seq & this.mask;
    if (packet.length > this.slotBytes) {
      this.seqs[slot] = -1;
      return;
    }
    // Allocated on first use: a stream that never sends holds nothing.
    const slab = (this.slab ??= Buffer.allocUnsafeSlow((this.mask + 1) * this.slotBytes));
    packet.copy(slab, slot * this.slotBytes);
    this.seqs[slot] = seq;
    this.lengths[slot] = packet.length;
    this.sentMs[slot] = nowMs;
  }

  /**
   * A copy of the packet sent with `seq`, if it is still held and not older than the age limit
   * (a copy: the slot may be reused while the send of a retransmission is still queued).
   */
  get(seq: number, nowMs: number): Buffer | undefined {
    const slot = seq & this.mask;
    if (this.slab === undefined || this.seqs[slot] !== seq || nowMs - (this.sentMs[slot] ?? 0) > this.maxAgeMs) return undefined;
    const start = slot * this.slotBytes;
    return Buffer.from(this.slab.subarray(start, start + (this.lengths[slot] ?? 0)));
  }

  /** Forgets everything (e.g. when the stream's keys change). */
  clear(): void {
    this.seqs.fill(-1);
  }
}
