/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01,
 * section 3.1), one generator per transport. Written by hand because werift 0.24's generator is
 * per receiver (audio and video share one sequence, so each sees holes), truncates the 64 ms
 * reference time inconsistently and mis-pads the packet: Chrome's bandwidth estimate then stays
 * below 300 kbit/s (shared/WEBRTC-STACK.md, pitfall 1). With correct feedback it ramps to Mbit/s.
 */
import { RtcpType } from './rtcpTypes.js';

/** FMT of transport-wide feedback. */
const FMT_TWCC = 15;
/** Receive deltas are in units of 250 µs. */
const TICK_US = 250;
/** The reference time is in units of 64 ms. */
const REFERENCE_US = 64_000;
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
  /** Unwrapped sequence numbers received since the last feedback. */
  private readonly seqs: number[] = [];
  /** Arrival times (µs) matching `seqs`. */
  private readonly arrivals: number[] = [];
  /** Highest unwrapped sequence number seen, -1 before the first. */
  private highest = -1;
  /** First sequence number the next feedback must cover, -1 before the first feedback. */
  private nextBase = -1;
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
  ) {}

  /** Records the arrival of a packet carrying transport-wide sequence number `seq16`. */
  onPacket(seq16: number, arrivalUs: number): void {
    let seq = seq16;
    if (this.highest >= 0) {
      let diff = (seq16 - (this.highest & 0xffff)) & 0xffff;
      if (diff >= 0x8000) diff -= 0x10000;
      seq = this.highest + diff;
    }
    if (seq > this.highest) this.highest = seq;
    if (this.nextBase >= 0 && seq < this.nextBase) return; // already reported
    this.seqs.push(seq);
    this.arrivals.push(arrivalUs);
  }

  /** Sends one feedback packet covering everything received since the last one. */
  flush(): void {
    if (this.seqs.length === 0) return;
    const order = this.seqs.map((_, i) => i).sort((a, b) => (this.seqs[a] ?? 0) - (this.seqs[b] ?? 0));
    const first = this.seqs[order[0] ?? 0] ?? 0;
    const last = this.seqs[order[order.length - 1] ?? 0] ?? 0;
    let base = this.nextBase >= 0 ? Math.min(this.nextBase, first) : first;
    if (last - base + 1 > 0xffff) base = first; // a gap too long to report: start afresh
    const count = last - base + 1;
    const statuses = new Uint8Array(count);
    const deltas: number[] = [];
    const firstArrival = this.arrivals[order[0] ?? 0] ?? 0;
    const reference = Math.floor(firstArrival / REFERENCE_US);
    let previousTicks = (reference * REFERENCE_US) / TICK_US;
    for (const i of order) {
      const index = (this.seqs[i] ?? 0) - base;
      if (index < 0 || statuses[index] !== Status.NotReceived) continue; // duplicate
      const ticks = Math.round((this.arrivals[i] ?? 0) / TICK_US);
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
    this.seqs.length = 0;
    this.arrivals.length = 0;
    this.nextBase = last + 1;
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
