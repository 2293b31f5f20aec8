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

  push(payload: Uint8Array, marker: boolean, rtpTimestamp: number): void {
    const offset = vp8DescriptorLength(payload);
    if (offset < 0 || offset >= payload.length) return this.reset();
    const b0 = payload[0] ?? 0;
    const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
    if (start) {
      this.#frame.clear();
      this.#timestamp = rtpTimestamp;
      this.#key = ((payload[offset] ?? 1) & 0x01) === 0;
    } else if (this.#timestamp !== rtpTimestamp) {
      return this.reset(); // a continuation of a frame whose start we did not see
    }
    this.#frame.append(payload.subarray(offset));
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
