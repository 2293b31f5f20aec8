/** Opus over RTP (RFC 7587 §4): each payload is one Opus packet. */
import type { Depacketizer, FrameHandler } from './Depacketizer.js';

/** Opus: one frame per packet. */
export class OpusDepacketizer implements Depacketizer {
  constructor(private readonly onFrame: FrameHandler) {}

  push(payload: Uint8Array, _marker: boolean, rtpTimestamp: number): void {
    if (payload.length === 0) return;
    this.onFrame({ data: payload.slice(), keyframe: true, rtpTimestamp });
  }

  reset(): void {}
}
