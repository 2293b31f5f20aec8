/**
 * VP8 and VP9 over RTP share one shape: a payload descriptor to strip, a flag that starts a
 * frame, the frame's payloads concatenated to the marker bit. What differs is the descriptor,
 * read by a `VpxPayloadFormat`.
 */
import type { Depacketizer, FrameHandler } from './Depacketizer.js';
import { FrameBuffer } from './FrameBuffer.js';

/** How one codec's payload descriptor is read. */
export interface VpxPayloadFormat {
  /** Length of the descriptor at `p[start, end)`, or -1 when malformed. */
  descriptorLength(p: Uint8Array, start: number, end: number): number;
  /** Whether this packet starts a frame; `continuing`: the frame in progress has its timestamp. */
  startsFrame(p: Uint8Array, start: number, continuing: boolean): boolean;
  /** Whether the frame this first packet starts is a key frame; `payload`: where the codec data begins. */
  isKeyframe(p: Uint8Array, start: number, payload: number): boolean;
}

/** VP8 or VP9 frames from RTP. */
export class VpxDepacketizer implements Depacketizer {
  /** The frame being assembled. */
  readonly #frame = new FrameBuffer();
  /** RTP timestamp of the frame in progress; -1: none (waiting for a frame start). */
  #timestamp = -1;
  /** Whether the frame in progress is a key frame. */
  #key = false;

  constructor(
    private readonly format: VpxPayloadFormat,
    private readonly onFrame: FrameHandler,
  ) {}

  push(packet: Buffer, start: number, end: number, marker: boolean, rtpTimestamp: number): void {
    const length = this.format.descriptorLength(packet, start, end);
    if (length < 0 || start + length >= end) return this.reset();
    const payload = start + length;
    if (this.format.startsFrame(packet, start, this.#timestamp === rtpTimestamp)) {
      this.#frame.clear();
      this.#timestamp = rtpTimestamp;
      this.#key = this.format.isKeyframe(packet, start, payload);
    } else if (this.#timestamp !== rtpTimestamp) {
      return this.reset(); // a continuation of a frame whose start we did not see
    }
    this.#frame.append(packet, payload, end);
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
