/**
 * VP9 over RTP (RFC 9628 §4.2): the payload descriptor (with its optional picture id, layer
 * indices, reference diffs and scalability structure) is stripped; the layer frames of one
 * picture are concatenated, from the first B=1 to the marker bit.
 */
import type { Depacketizer, FrameHandler } from './Depacketizer.js';
import { FrameBuffer } from './FrameBuffer.js';

/** Length of the VP9 payload descriptor at `p[start, end)`, or -1 when malformed. */
export function vp9DescriptorLength(p: Uint8Array, start = 0, end = p.length): number {
  const b0 = p[start] ?? 0;
  if (end - start < 1) return -1;
  let n = start + 1;
  const flexible = (b0 & 0x10) !== 0;
  if (b0 & 0x80) n += ((p[n] ?? 0) & 0x80) !== 0 ? 2 : 1; // I: picture id
  if (b0 & 0x20) n += flexible ? 1 : 2; // L: layer indices (and TL0PICIDX in non-flexible mode)
  if (flexible && b0 & 0x40) {
    // P_DIFF entries, each with an N bit saying whether another follows (up to 3)
    for (let i = 0; i < 3; i++) if (((p[n++] ?? 0) & 0x01) === 0) break;
  }
  if (b0 & 0x02) {
    // V: scalability structure
    const ss = p[n++] ?? 0;
    const spatial = (ss >> 5) + 1;
    if (ss & 0x10) n += 4 * spatial; // Y: width and height per layer
    if (ss & 0x08) {
      const groups = p[n++] ?? 0;
      for (let g = 0; g < groups && n < end; g++) n += 1 + (((p[n] ?? 0) >> 2) & 0x03);
    }
  }
  return n <= end ? n - start : -1;
}

/** VP9 pictures from RTP. */
export class Vp9Depacketizer implements Depacketizer {
  /** The picture being assembled. */
  readonly #frame = new FrameBuffer();
  /** RTP timestamp of the picture in progress; -1: none. */
  #timestamp = -1;
  /** Whether the picture in progress is a key frame (its first layer frame not inter-predicted). */
  #key = false;

  constructor(private readonly onFrame: FrameHandler) {}

  push(packet: Buffer, start: number, end: number, marker: boolean, rtpTimestamp: number): void {
    const length = vp9DescriptorLength(packet, start, end);
    if (length < 0 || start + length >= end) return this.reset();
    const b0 = packet[start] ?? 0;
    const begins = (b0 & 0x08) !== 0;
    if (begins && this.#timestamp !== rtpTimestamp) {
      this.#frame.clear();
      this.#timestamp = rtpTimestamp;
      this.#key = (b0 & 0x40) === 0;
    } else if (this.#timestamp !== rtpTimestamp) {
      return this.reset();
    }
    this.#frame.append(packet, start + length, end);
    if (marker) {
      this.onFrame({ data: this.#frame.take(), keyframe: this.#key, rtpTimestamp });
      this.#timestamp = -1;
    }
  }

  reset(): void {
    this.#frame.clear();
    this.#timestamp = -1;
  }
}
