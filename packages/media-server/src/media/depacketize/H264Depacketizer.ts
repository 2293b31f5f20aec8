/**
 * H.264 over RTP (RFC 6184 §5.6–5.8): single NAL unit packets, STAP-A aggregates and FU-A
 * fragments become one access unit per RTP timestamp in AVCC form (each NAL unit behind a 4-byte
 * big-endian length: what MP4 and Matroska store). The latest SPS and PPS are kept for the
 * decoder configuration record.
 */
import type { Depacketizer, FrameHandler } from './Depacketizer.js';
import { FrameBuffer } from './FrameBuffer.js';

const IDR = 5;
const SPS = 7;
const PPS = 8;
const AUD = 9;
const STAP_A = 24;
const FU_A = 28;

/** H.264 access units from RTP. */
export class H264Depacketizer implements Depacketizer {
  /** The access unit being assembled. */
  readonly #frame = new FrameBuffer();
  /** RTP timestamp of the access unit in progress; -1: none. */
  #timestamp = -1;
  /** Whether it holds an IDR slice. */
  #key = false;
  /** Where the length of the FU-A NAL unit in progress was written; -1: none open. */
  #fuLengthAt = -1;
  /** The last sequence parameter set seen (for the decoder config). */
  sps: Uint8Array | undefined;
  /** The last picture parameter set seen. */
  pps: Uint8Array | undefined;

  constructor(private readonly onFrame: FrameHandler) {}

  push(packet: Buffer, start: number, end: number, marker: boolean, rtpTimestamp: number): void {
    if (end <= start) return;
    if (this.#timestamp !== rtpTimestamp) this.#begin(rtpTimestamp);
    if (!this.#packet(packet, start, end)) return this.reset();
    if (marker) this.#end();
  }

  reset(): void {
    this.#frame.clear();
    this.#timestamp = -1;
    this.#fuLengthAt = -1;
    this.#key = false;
  }

  #begin(rtpTimestamp: number): void {
    // A new timestamp without the previous marker: the last packet of that unit was lost or the
    // sender leaves the marker off; an unfinished FU-A makes it unusable, otherwise keep it.
    if (this.#timestamp >= 0 && this.#frame.length > 0 && this.#fuLengthAt < 0) this.#end();
    this.reset();
    this.#timestamp = rtpTimestamp;
  }

  #end(): void {
    if (this.#frame.length > 0 && this.#fuLengthAt < 0) this.onFrame({ data: this.#frame.take(), keyframe: this.#key, rtpTimestamp: this.#timestamp });
    this.reset();
  }

  /** One RTP payload `p[start, end)`; false when it is malformed or breaks the unit. */
  #packet(p: Buffer, start: number, end: number): boolean {
    const type = (p[start] ?? 0) & 0x1f;
    if (type >= 1 && type <= 23) {
      if (this.#fuLengthAt >= 0) return false;
      this.#nal(p, start, end);
      return true;
    }
    if (type === STAP_A) {
      if (this.#fuLengthAt >= 0) return false;
      for (let i = start + 1; i < end; ) {
        if (i + 2 > end) return false;
        const size = ((p[i] ?? 0) << 8) | (p[i + 1] ?? 0);
        if (size === 0 || i + 2 + size > end) return false;
        this.#nal(p, i + 2, i + 2 + size);
        i += 2 + size;
      }
      return true;
    }
    if (type === FU_A) return this.#fragment(p, start, end);
    return false; // STAP-B, MTAP, FU-B: not in packetization-mode 0 or 1
  }

  #nal(p: Buffer, start: number, end: number): void {
    const type = (p[start] ?? 0) & 0x1f;
    if (type === AUD) return; // containers do not want access unit delimiters
    if (type === SPS) this.sps = Uint8Array.from(p.subarray(start, end));
    else if (type === PPS) this.pps = Uint8Array.from(p.subarray(start, end));
    else if (type === IDR) this.#key = true;
    this.#frame.appendU32(end - start);
    this.#frame.append(p, start, end);
  }

  #fragment(p: Buffer, start: number, end: number): boolean {
    if (end - start < 3) return false;
    const indicator = p[start] ?? 0;
    const header = p[start + 1] ?? 0;
    const first = (header & 0x80) !== 0;
    const last = (header & 0x40) !== 0;
    if (first) {
      if (this.#fuLengthAt >= 0) return false;
      const type = header & 0x1f;
      if (type === IDR) this.#key = true;
      this.#fuLengthAt = this.#frame.appendU32(0);
      this.#frame.appendByte((indicator & 0xe0) | type);
    } else if (this.#fuLengthAt < 0) {
      return false; // a middle or end without its start
    }
    this.#frame.append(p, start + 2, end);
    if (last) {
      this.#frame.setU32(this.#fuLengthAt, this.#frame.length - this.#fuLengthAt - 4);
      this.#fuLengthAt = -1;
    }
    return true;
  }
}
