/**
 * VP9 over RTP (RFC 9628 §4.2): the payload descriptor (with its optional picture id, layer
 * indices, reference diffs and scalability structure) is stripped; the layer frames of one
 * picture are concatenated, from the first B=1 to the marker bit.
 */
import type { FrameHandler } from './Depacketizer.js';
import { VpxDepacketizer, type VpxPayloadFormat } from './VpxDepacketizer.js';

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

const vp9: VpxPayloadFormat = {
  descriptorLength: vp9DescriptorLength,
  // B=1 begins a layer frame; the first of a new timestamp begins the picture.
  startsFrame: (p, start, continuing) => ((p[start] ?? 0) & 0x08) !== 0 && !continuing,
  isKeyframe: (p, start) => ((p[start] ?? 0) & 0x40) === 0, // P=0: not inter-predicted
};

/** VP9 pictures from RTP. */
export class Vp9Depacketizer extends VpxDepacketizer {
  constructor(onFrame: FrameHandler) {
    super(vp9, onFrame);
  }
}
