/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01,
 * section 3.1), one generator per transport. Written by hand because werift 0.24's generator is
 * per receiver (audio and video share one sequence, so each sees holes), truncates the 64 ms
 * reference time inconsistently and mis-pads the packet: Chrome's bandwidth estimate then stays
 * below 300 kbit/s (shared/WEBRTC-STACK.md, pitfall 1). With correct feedback it ramps to Mbit/s.
 */
import { TwccCell } from '@kurento-ts/native';
import { RtcpType } from './rtcpTypes.js';

/** FMT of transport-wide feedback. */
const FMT_TWCC = 15;
/** Receive deltas are in units of 250 µs. */
const TICK_US = 250;
/** The reference time is in units of 64 ms. */
const REFERENCE_US = 64_000;
/** Records held before the first growth (a 100 ms feedback interval of a few Mbit/s). */
const INITIAL_RECORDS = 64;
/** Longest run a run-length chunk can carry. */
const MAX_RUN = 0x1fff;

const enum Status {
  NotReceived = 0,
  SmallDelta = 1,
  LargeDelta = 2,
}

/** The header extension that carries the transport-wide sequence number. */
export const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

export class TwccFeedback {
  /**
   * The highest unwrapped sequence number seen (-1 before the first), the first one the next
   * feedback must cover (-1 before the first feedback), and the records since the last feedback:
   * a ledger a forwarding lane books in C as onPacket does (@kurento-ts/native's ledgers).
   */
  readonly cells = new Float64Array(TwccCell.size);
  /** Unwrapped sequence numbers received since the last feedback in [0, capacity), their arrival times (µs) in [capacity, 2 * capacity). */
  records = new Float64Array(2 * INITIAL_RECORDS);
  /** Feedback packet counter (8 bits on the wire). */
  private feedbackCount = 0;

  /**
   * @param send  sends one serialized RTCP packet
   * @param senderSsrc  our RTCP sender SSRC
   * @param mediaSsrc  an SSRC of the remote media (Chrome ignores it for transport-cc)
   */
  constructor(
    private readonly send: (packet: Buffer) => void,
    private readonly senderSsrc: () => number,
    private readonly mediaSsrc: () => number,
  ) {
    const cells = this.cells;
    cells[TwccCell.highest] = -1;
    cells[TwccCell.nextBase] = -1;
    cells[TwccCell.capacity] = INITIAL_RECORDS;
  }

  /** Records the arrival of a packet carrying transport-wide sequence number `seq16`. */
  onPacket(seq16: number, arrivalUs: number): void {
    const cells = this.cells;
    const highest = cells[TwccCell.highest] ?? -1;
    let seq = seq16;
    if (highest >= 0) {
      let diff = (seq16 - (highest & 0xffff)) & 0xffff;
      if (diff >= 0x8000) diff -= 0x10000;
      seq = highest + diff;
    }
    if (seq > highest) cells[TwccCell.highest] = seq;
    const nextBase = cells[TwccCell.nextBase] ?? -1;
    if (nextBase >= 0 && seq < nextBase) return; // already reported
    const count = cells[TwccCell.count] ?? 0;
    let capacity = cells[TwccCell.capacity] ?? 0;
    if (count === capacity) capacity = this.grow();
    this.records[count] = seq;
    this.records[capacity + count] = arrivalUs;
    cells[TwccCell.count] = count + 1;
  }

  /** Twice the room for records; a new generation, so that no lane books into the old array. */
  private grow(): number {
    const capacity = this.cells[TwccCell.capacity] ?? 0;
    const records = new Float64Array(4 * capacity);
    records.set(this.records.subarray(0, capacity), 0);
    records.set(this.records.subarray(capacity, 2 * capacity), 2 * capacity);
    this.records = records;
    this.cells[TwccCell.capacity] = 2 * capacity;
    this.cells[TwccCell.generation] = (this.cells[TwccCell.generation] ?? 0) + 1;
    return 2 * capacity;
  }

  /** Sends one feedback packet covering everything received since the last one. */
  flush(): void {
    const cells = this.cells;
    const received = cells[TwccCell.count] ?? 0;
    if (received === 0) return;
    const capacity = cells[TwccCell.capacity] ?? 0;
    const seqs = Array.from(this.records.subarray(0, received));
    const arrivals = this.records.subarray(capacity, capacity + received);
    const order = seqs.map((_, i) => i).sort((a, b) => (seqs[a] ?? 0) - (seqs[b] ?? 0));
    const first = seqs[order[0] ?? 0] ?? 0;
    const last = seqs[order[order.length - 1] ?? 0] ?? 0;
    const nextBase = cells[TwccCell.nextBase] ?? -1;
    let base = nextBase >= 0 ? Math.min(nextBase, first) : first;
    if (last - base + 1 > 0xffff) base = first; // a gap too long to report: start afresh
    const statuses = new Uint8Array(last - base + 1);
    const deltas: number[] = [];
    const firstArrival = arrivals[order[0] ?? 0] ?? 0;
    const reference = Math.floor(firstArrival / REFERENCE_US);
    let previousTicks = (reference * REFERENCE_US) / TICK_US;
    for (const i of order) {
      const index = (seqs[i] ?? 0) - base;
      if (index < 0 || statuses[index] !== Status.NotReceived) continue; // duplicate
      const ticks = Math.round((arrivals[i] ?? 0) / TICK_US);
      const delta = ticks - previousTicks;
      previousTicks = ticks;
      if (delta >= 0 && delta <= 0xff) {
        statuses[index] = Status.SmallDelta;
        deltas.push(delta);
      } else {
        statuses[index] = Status.LargeDelta;
        deltas.push(Math.max(-0x8000, Math.min(0x7fff, delta)));
      }
    }
    cells[TwccCell.count] = 0;
    cells[TwccCell.nextBase] = last + 1;
    this.send(this.serialize(base, statuses, deltas, reference));
  }

  private serialize(base: number, statuses: Uint8Array, deltas: number[], reference: number): Buffer {
    const chunks: number[] = [];
    for (let i = 0; i < statuses.length; ) {
      const status = statuses[i] ?? 0;
      let run = 1;
      while (i + run < statuses.length && statuses[i + run] === status && run < MAX_RUN) run++;
      chunks.push((status << 13) | run);
      i += run;
    }
    let deltaBytes = 0;
    for (const s of statuses) deltaBytes += s === Status.SmallDelta ? 1 : s === Status.LargeDelta ? 2 : 0;
    const unpadded = 20 + chunks.length * 2 + deltaBytes;
    const padding = (4 - (unpadded % 4)) % 4;
    const packet = Buffer.alloc(unpadded + padding);
    packet[0] = 0x80 | (padding ? 0x20 : 0) | FMT_TWCC;
    packet[1] = RtcpType.RTPFB;
    packet.writeUInt16BE(packet.length / 4 - 1, 2);
    packet.writeUInt32BE(this.senderSsrc() >>> 0, 4);
    packet.writeUInt32BE(this.mediaSsrc() >>> 0, 8);
    packet.writeUInt16BE(base & 0xffff, 12);
    packet.writeUInt16BE(statuses.length, 14);
    packet.writeUIntBE(reference & 0xffffff, 16, 3);
    packet[19] = this.feedbackCount++ & 0xff;
    let offset = 20;
    for (const chunk of chunks) offset = packet.writeUInt16BE(chunk, offset);
    let d = 0;
    for (const s of statuses) {
      if (s === Status.SmallDelta) packet[offset++] = deltas[d++] ?? 0;
      else if (s === Status.LargeDelta) offset = packet.writeInt16BE(deltas[d++] ?? 0, offset);
    }
    if (padding) packet[packet.length - 1] = padding;
    return packet;
  }
}
