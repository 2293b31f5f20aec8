/**
 * The last packets a sender sent, by sequence number, to answer Generic NACKs (RFC 4585 §6.2.1)
 * with retransmissions. It holds the protected packets themselves: resending the same SRTP bytes
 * is a valid retransmission without RTX (same SSRC, sequence number and ROC), and costs no crypto.
 */
export class RetransmissionRing {
  private readonly seqs: Int32Array;
  private readonly packets: (Buffer | undefined)[];
  private readonly mask: number;

  /** @param size slots, a power of two (512 is ~3 s of 1.5 Mbit/s video) */
  constructor(size = 512) {
    if (size <= 0 || (size & (size - 1)) !== 0) throw new RangeError('ring size must be a power of two');
    this.mask = size - 1;
    this.seqs = new Int32Array(size).fill(-1);
    this.packets = new Array<Buffer | undefined>(size).fill(undefined);
  }

  /** Remembers the packet sent with sequence number `seq`. */
  put(seq: number, packet: Buffer): void {
    const slot = seq & this.mask;
    this.seqs[slot] = seq;
    this.packets[slot] = packet;
  }

  /** The packet sent with `seq`, if it is still held. */
  get(seq: number): Buffer | undefined {
    const slot = seq & this.mask;
    return this.seqs[slot] === seq ? this.packets[slot] : undefined;
  }

  /** Forgets everything (e.g. when the stream's keys change). */
  clear(): void {
    this.seqs.fill(-1);
    this.packets.fill(undefined);
  }
}
