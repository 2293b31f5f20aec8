/**
 * The last packets a sender sent, by sequence number, to answer Generic NACKs (RFC 4585 §6.2.1)
 * with retransmissions. It holds the protected packets themselves: resending the same SRTP bytes
 * is a valid retransmission without RTX (same SSRC, sequence number and ROC), and costs no crypto.
 *
 * The bytes are copied into one slab, not kept as Buffers: a Buffer held for half a second
 * outlives two young-generation collections and is promoted, and at thousands of packets a
 * second those promotions were what made V8 run full collections every second.
 *
 * Packets are kept for a time, not a count: a retransmission later than a few round trips is
 * useless to a receiver's jitter buffer. Like Janus, the ring keeps 200 ms at least and more with
 * a long round trip (keepFor: three of them, up to a second), so memory follows what the path
 * needs, not the worst case. The slab holds packets end to end (where fixed slots of the largest
 * packet size waste a sixth of themselves on 1,240-byte video packets) and grows, by half up to a
 * limit, only when it would overwrite a packet younger than that: from 32 KB, 48 KB hold the
 * 200 ms of a 1.5 Mbit/s stream.
 */
import { RingCell, ringSlotsLayout } from '@kurento-ts/native';

/** Retention bounds: at least this long whatever the round trip, at most this long however long it is. */
export const MIN_KEEP_MS = 200;
export const MAX_KEEP_MS = 1000;
/** Round trips a packet is kept for: the first NACK, a repeated one, and the retransmission's way back. */
const KEEP_ROUND_TRIPS = 3;

export class RetransmissionRing {
  /**
   * The ring's scalars (its bounds, the slab's size, bytes written, the queue's head and length, the
   * slab's generation), in a ledger a forwarding lane books in C as put does (@kurento-ts/native's ledgers).
   */
  readonly cells = new Float64Array(RingCell.size);
  /** The per-slot arrays below, in one buffer (the layout ringSlotsLayout gives), for the lane too. */
  readonly slotBuffer: ArrayBuffer;
  /** By `seq & mask`: the sequence number held there (-1: none), where its bytes start in the stream of bytes written, its length and when it was sent. */
  private readonly seqs: Int32Array;
  private readonly starts: Float64Array;
  private readonly lengths: Uint16Array;
  private readonly sentMs: Float64Array;
  /** The packets held, oldest first (a circular queue of their sequence numbers and starts). */
  private readonly queueSeqs: Int32Array;
  private readonly queueStarts: Float64Array;
  private slabBytes: Buffer | undefined;
  private readonly mask: number;
  private readonly maxPacketBytes: number;
  private readonly maxBytes: number;

  /**
   * @param slots most packets held, a power of two (256: 500 ms up to about 5 Mbit/s, a second up to 2.5)
   * @param maxAgeMs how long a packet is kept for retransmission (until keepFor changes it)
   * @param maxPacketBytes largest packet kept (bigger ones are sent but not kept)
   * @param initialBytes the slab's first size; it grows up to `maxBytes`
   */
  constructor(slots = 256, maxAgeMs = MIN_KEEP_MS, maxPacketBytes = 1500, initialBytes = 32 * 1024, maxBytes = 1024 * 1024) {
    if (slots <= 0 || (slots & (slots - 1)) !== 0) throw new RangeError('ring size must be a power of two');
    this.mask = slots - 1;
    this.maxPacketBytes = maxPacketBytes;
    this.maxBytes = maxBytes;
    const layout = ringSlotsLayout(slots);
    this.slotBuffer = new ArrayBuffer(layout.bytes);
    this.starts = new Float64Array(this.slotBuffer, layout.starts, slots);
    this.sentMs = new Float64Array(this.slotBuffer, layout.sentMs, slots);
    this.queueStarts = new Float64Array(this.slotBuffer, layout.queueStarts, slots);
    this.seqs = new Int32Array(this.slotBuffer, layout.seqs, slots).fill(-1);
    this.queueSeqs = new Int32Array(this.slotBuffer, layout.queueSeqs, slots);
    this.lengths = new Uint16Array(this.slotBuffer, layout.lengths, slots);
    const cells = this.cells;
    cells[RingCell.slots] = slots;
    cells[RingCell.maxAgeMs] = maxAgeMs;
    cells[RingCell.maxPacketBytes] = maxPacketBytes;
    cells[RingCell.maxBytes] = maxBytes;
    cells[RingCell.capacity] = Math.max(initialBytes, maxPacketBytes);
  }

  /** The bytes of the packets held (undefined until the first put). */
  get slab(): Buffer | undefined {
    return this.slabBytes;
  }

  private get maxAgeMs(): number {
    return this.cells[RingCell.maxAgeMs] ?? 0;
  }

  private set maxAgeMs(value: number) {
    this.cells[RingCell.maxAgeMs] = value;
  }

  private get capacity(): number {
    return this.cells[RingCell.capacity] ?? 0;
  }

  /** Bytes written since the start (a position in the unbounded stream the slab is a window of). */
  private get written(): number {
    return this.cells[RingCell.written] ?? 0;
  }

  private set written(value: number) {
    this.cells[RingCell.written] = value;
  }

  private get queueHead(): number {
    return this.cells[RingCell.queueHead] ?? 0;
  }

  private set queueHead(value: number) {
    this.cells[RingCell.queueHead] = value;
  }

  private get queueLength(): number {
    return this.cells[RingCell.queueLength] ?? 0;
  }

  private set queueLength(value: number) {
    this.cells[RingCell.queueLength] = value;
  }

  /** How long packets are kept now, in ms. */
  get keepMs(): number {
    return this.maxAgeMs;
  }

  /** Keeps packets for three round trips of `roundTripSeconds` (a measured RTT), within MIN_KEEP_MS..MAX_KEEP_MS. */
  keepFor(roundTripSeconds: number): void {
    if (!Number.isFinite(roundTripSeconds) || roundTripSeconds < 0) return;
    this.maxAgeMs = Math.min(MAX_KEEP_MS, Math.max(MIN_KEEP_MS, Math.round(roundTripSeconds * 1000 * KEEP_ROUND_TRIPS)));
  }

  /** Keeps a copy of the packet sent with sequence number `seq` at `nowMs`. */
  put(seq: number, packet: Buffer, nowMs: number): void {
    const slot = seq & this.mask;
    const length = packet.length;
    if (length > this.maxPacketBytes) {
      this.seqs[slot] = -1;
      return;
    }
    let start = this.positionFor(length);
    // Drop what this write overwrites, oldest first; grow instead while that is still young.
    while (this.queueLength > 0) {
      const head = this.queueHead;
      const headSeq = this.queueSeqs[head] ?? -1;
      const headStart = this.queueStarts[head] ?? 0;
      const headSlot = headSeq & this.mask;
      const live = this.seqs[headSlot] === headSeq && this.starts[headSlot] === headStart;
      const overwritten = headStart < start + length - this.capacity;
      if (live && !overwritten && this.queueLength <= this.mask) break;
      if (live && overwritten && nowMs - (this.sentMs[headSlot] ?? 0) <= this.maxAgeMs && this.capacity < this.maxBytes) {
        this.grow();
        start = this.positionFor(length);
        continue;
      }
      if (live) this.seqs[headSlot] = -1;
      this.queueHead = (head + 1) & this.mask;
      this.queueLength--;
    }
    // Allocated on first use: a stream that never sends holds nothing.
    const slab = (this.slabBytes ??= this.newSlab(this.capacity));
    packet.copy(slab, start % this.capacity);
    this.written = start + length;
    this.seqs[slot] = seq;
    this.starts[slot] = start;
    this.lengths[slot] = length;
    this.sentMs[slot] = nowMs;
    const tail = (this.queueHead + this.queueLength) & this.mask;
    this.queueSeqs[tail] = seq;
    this.queueStarts[tail] = start;
    this.queueLength++;
  }

  /**
   * A copy of the packet sent with `seq`, if it is still held and not older than the age limit
   * (a copy: the slab may be overwritten while the send of a retransmission is still queued).
   */
  get(seq: number, nowMs: number): Buffer | undefined {
    const slot = seq & this.mask;
    if (this.slab === undefined || this.seqs[slot] !== seq || nowMs - (this.sentMs[slot] ?? 0) > this.maxAgeMs) return undefined;
    const offset = (this.starts[slot] ?? 0) % this.capacity;
    return Buffer.from(this.slab.subarray(offset, offset + (this.lengths[slot] ?? 0)));
  }

  /** Bytes the ring holds its packets in now (for tests and memory accounting). */
  get bytes(): number {
    return this.slab === undefined ? 0 : this.capacity;
  }

  /** Forgets everything (e.g. when the stream's keys change). */
  clear(): void {
    this.seqs.fill(-1);
    this.queueLength = 0;
  }

  /** Where a packet of `length` bytes goes next: after the last, or at the slab's start when it would not fit before the end. */
  private positionFor(length: number): number {
    const offset = this.written % this.capacity;
    return offset + length <= this.capacity ? this.written : this.written - offset + this.capacity;
  }

  /** Half as large again (at most `maxBytes`), the packets held copied over oldest first. */
  private grow(): void {
    const capacity = Math.min(this.maxBytes, Math.ceil((this.capacity * 1.5) / 1024) * 1024);
    const next = this.newSlab(capacity);
    const old = this.slab;
    let at = 0;
    for (let i = 0; i < this.queueLength; i++) {
      const q = (this.queueHead + i) & this.mask;
      const seq = this.queueSeqs[q] ?? -1;
      const slot = seq & this.mask;
      if (this.seqs[slot] !== seq || this.starts[slot] !== this.queueStarts[q]) continue;
      const length = this.lengths[slot] ?? 0;
      const from = (this.queueStarts[q] ?? 0) % this.capacity;
      old?.copy(next, at, from, from + length);
      this.starts[slot] = at;
      this.queueStarts[q] = at;
      at += length;
    }
    this.slabBytes = next;
    this.cells[RingCell.capacity] = capacity;
    this.written = at;
  }

  /** A slab of `capacity` bytes; a new generation, so that no lane books into the old one. */
  private newSlab(capacity: number): Buffer {
    this.cells[RingCell.generation] = (this.cells[RingCell.generation] ?? 0) + 1;
    return Buffer.allocUnsafeSlow(capacity);
  }
}
