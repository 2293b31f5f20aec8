/** Opus over RTP (RFC 7587 §4): each payload is one Opus packet. */
import type { Depacketizer, FrameHandler } from './Depacketizer.js';

/** Opus: one frame per packet. */
export class OpusDepacketizer implements Depacketizer {
  constructor(private readonly onFrame: FrameHandler) {}

  push(packet: Buffer, start: number, end: number, _marker: boolean, rtpTimestamp: number): void {
    if (end <= start) return;
    const data = new Uint8Array(end - start);
    packet.copy(data, 0, start, end);
    this.onFrame({ data, keyframe: true, rtpTimestamp });
  }

  reset(): void {}
}
