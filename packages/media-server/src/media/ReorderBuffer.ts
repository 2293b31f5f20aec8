/**
 * Puts one RTP stream's packets back in sequence order (RFC 3550 sequence numbers, 16-bit wrap)
 * for the recorder. Packets that arrive early wait in a fixed slab (no allocation per packet);
 * a gap is declared lost when the stream has moved `maxGap` packets past it or when the oldest
 * waiting packet has waited `maxWaitMs` (checked on arrival: no timer). Retransmissions that fill
 * a gap in time are taken in order; packets older than what was delivered are dropped.
 */

/** Options of a reorder buffer. */
export interface ReorderBufferOptions {
  /** Packets held at most (slots of the slab). */
  readonly capacity?: number;
  /** Largest packet kept, in bytes; longer ones are dropped. */
  readonly maxPacketBytes?: number;
  /** How long a gap may stay open before it counts as lost, in ms. */
  readonly maxWaitMs?: number;
}

/** Receives each packet in order as `bytes[start, end)`, valid only during the call. */
export type InOrderHandler = (bytes: Buffer, start: number, end: number) => void;
/** Told how many packets were given up as lost before the next one delivered. */
export type LossHandler = (lost: number) => void;

const seqDelta = (a: number, b: number): number => ((a - b + 0x10000) & 0xffff) << 16 >> 16; // signed a - b

/** Reorders one stream; `push` every received packet with its sequence number. */
export class ReorderBuffer {
  readonly #capacity: number;
  readonly #slotBytes: number;
  readonly #maxWaitMs: number;
  /** Packet bytes, one slot of slotBytes per waiting packet, indexed by seq % capacity. */
  readonly #slab: Buffer;
  /** Length of the packet in each slot; 0: empty. */
  readonly #lengths: Uint32Array;
  /** Arrival time of the packet in each slot. */
  readonly #arrivals: Float64Array;
  /** The next sequence number to deliver; -1 before the first packet. */
  #next = -1;
  /** Packets waiting. */
  #held = 0;

  constructor(
    private readonly deliver: InOrderHandler,
    private readonly lost: LossHandler,
    options: ReorderBufferOptions = {},
  ) {
    this.#capacity = options.capacity ?? 128;
    // Slots are seq % capacity, which stays consistent across the 16-bit wrap only for powers of two.
    if (!Number.isInteger(Math.log2(this.#capacity)) || this.#capacity > 4096) throw new RangeError(`capacity must be a power of two up to 4096, got ${this.#capacity}`);
    this.#slotBytes = options.maxPacketBytes ?? 1500;
    this.#maxWaitMs = options.maxWaitMs ?? 150;
    this.#slab = Buffer.alloc(this.#capacity * this.#slotBytes);
    this.#lengths = new Uint32Array(this.#capacity);
    this.#arrivals = new Float64Array(this.#capacity);
  }

  /** Packets waiting for a gap to fill. */
  get held(): number {
    return this.#held;
  }

  /** Takes one packet (copied when it must wait). */
  push(packet: Buffer, seq: number, nowMs: number): void {
    if (this.#next < 0) this.#next = seq;
    if (seqDelta(seq, this.#next) >= this.#capacity) this.#skipTo((seq - this.#capacity + 1) & 0xffff);
    const ahead = seqDelta(seq, this.#next);
    if (ahead < 0) return; // late duplicate or a retransmission after its gap was given up
    if (ahead === 0) {
      this.#next = (seq + 1) & 0xffff;
      this.deliver(packet, 0, packet.length);
      this.#drain();
      return;
    }
    this.#store(packet, seq, nowMs);
    this.#expire(nowMs);
  }

  /** Delivers every waiting packet, counting the gaps between them as lost (end of stream). */
  flush(): void {
    while (this.#held > 0) this.#skipToOldest();
  }

  /** Forgets everything (a new source): the next packet starts a new sequence. */
  reset(): void {
    this.#lengths.fill(0);
    this.#held = 0;
    this.#next = -1;
  }

  #store(packet: Buffer, seq: number, nowMs: number): void {
    if (packet.length > this.#slotBytes || packet.length === 0) return;
    const slot = seq % this.#capacity;
    if (this.#lengths[slot] === 0) this.#held++;
    packet.copy(this.#slab, slot * this.#slotBytes);
    this.#lengths[slot] = packet.length;
    this.#arrivals[slot] = nowMs;
  }

  /** Gives up the gap in front when the oldest waiting packet waited too long. */
  #expire(nowMs: number): void {
    while (this.#held > 0) {
      const oldest = this.#oldestSlot();
      if (nowMs - (this.#arrivals[oldest] ?? nowMs) < this.#maxWaitMs) return;
      this.#skipToOldest();
    }
  }

  #oldestSlot(): number {
    for (let i = 0; i < this.#capacity; i++) {
      const slot = (this.#next + i) % this.#capacity;
      if ((this.#lengths[slot] ?? 0) > 0) return slot;
    }
    return -1;
  }

  #skipToOldest(): void {
    for (let i = 1; i < this.#capacity; i++) {
      const seq = (this.#next + i) & 0xffff;
      if ((this.#lengths[seq % this.#capacity] ?? 0) > 0) {
        this.#skipTo(seq);
        return;
      }
    }
  }

  /** Declares everything before `seq` lost (delivering what waited there) and moves on to it. */
  #skipTo(seq: number): void {
    let missing = 0;
    while (seqDelta(seq, this.#next) > 0) {
      const slot = this.#next % this.#capacity;
      const length = this.#lengths[slot] ?? 0;
      if (length > 0) {
        if (missing > 0) this.lost(missing);
        missing = 0;
        this.#take(slot, length);
      } else {
        missing++;
      }
      this.#next = (this.#next + 1) & 0xffff;
    }
    if (missing > 0) this.lost(missing);
    this.#drain();
  }

  /** Delivers consecutive waiting packets from #next on. */
  #drain(): void {
    while (this.#held > 0) {
      const slot = this.#next % this.#capacity;
      const length = this.#lengths[slot] ?? 0;
      if (length === 0) return;
      this.#take(slot, length);
      this.#next = (this.#next + 1) & 0xffff;
    }
  }

  #take(slot: number, length: number): void {
    this.#lengths[slot] = 0;
    this.#held--;
    const start = slot * this.#slotBytes;
    this.deliver(this.#slab, start, start + length);
  }
}
