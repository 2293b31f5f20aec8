/**
 * VP8 over RTP (RFC 7741 §4): the payload descriptor is stripped and the partitions of one
 * frame are concatenated; a frame begins with S=1 in partition 0 and ends on the marker bit;
 * the frame tag's P bit says key frame.
 */
import { vp8DescriptorLength } from '../../rtp/keyframes.js';
import type { FrameHandler } from './Depacketizer.js';
import { VpxDepacketizer, type VpxPayloadFormat } from './VpxDepacketizer.js';

const vp8: VpxPayloadFormat = {
  descriptorLength: vp8DescriptorLength,
  startsFrame: (p, start) => ((p[start] ?? 0) & 0x17) === 0x10, // S=1, PID=0
  isKeyframe: (p, _start, payload) => ((p[payload] ?? 1) & 0x01) === 0,
};

/** VP8 frames from RTP. */
export class Vp8Depacketizer extends VpxDepacketizer {
  constructor(onFrame: FrameHandler) {
    super(vp8, onFrame);
  }
}
