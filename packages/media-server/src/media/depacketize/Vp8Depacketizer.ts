/**
 * VP8 over RTP (RFC 7741 §4): the payload descriptor is stripped and the partitions of one
 * frame are concatenated; a frame begins with S=1 in partition 0 and ends on the marker bit.
 */
import { vp8DescriptorLength } from '../../rtp/keyframes.js';
import type { Depacketizer, FrameHandler } from './Depacketizer.js';
import { FrameBuffer } from './FrameBuffer.js';

/** VP8 frames from RTP. */
export class Vp8Depacketizer implements Depacketizer {
  /** The frame being assembled. */
  readonly #frame = new FrameBuffer();
  /** RTP timestamp of the frame in progress; -1: none (waiting for a frame start). */
  #timestamp = -1;
  /** Whether the frame in progress is a key frame. */
  #key = false;

  constructor(private readonly onFrame: FrameHandler) {}

  push(packet: Buffer, start: number, end: number, marker: boolean, rtpTimestamp: number): void {
    const length = vp8DescriptorLength(packet, start, end);
    if (length < 0 || start + length >= end) return this.reset();
    const offset = start + length;
    const b0 = packet[start] ?? 0;
    const frameStart = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
    if (frameStart) {
      this.#frame.clear();
      this.#timestamp = rtpTimestamp;
      this.#key = ((packet[offset] ?? 1) & 0x01) === 0;
    } else if (this.#timestamp !== rtpTimestamp) {
      return this.reset(); // a continuation of a frame whose start we did not see
    }
    this.#frame.append(packet, offset, end);
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
