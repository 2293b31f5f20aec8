/**
 * Picture sizes from VP8 and VP9 key frames, for the container's track header: VP8's frame
 * header (RFC 6386 §9.1) and VP9's uncompressed header (VP9 bitstream spec §6.2).
 */
import { BitReader } from './BitReader.js';

/** Width and height of a coded picture. */
export interface PictureSize {
  readonly width: number;
  readonly height: number;
}

/** The size in a VP8 key frame (after its 3-byte tag and 3-byte start code), or undefined. */
export function vp8KeyframeSize(frame: Uint8Array): PictureSize | undefined {
  if (frame.length < 10 || ((frame[0] ?? 1) & 0x01) !== 0) return undefined;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  const width = ((frame[6] ?? 0) | ((frame[7] ?? 0) << 8)) & 0x3fff;
  const height = ((frame[8] ?? 0) | ((frame[9] ?? 0) << 8)) & 0x3fff;
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** What a VP9 key frame's uncompressed header says. */
export interface Vp9KeyframeInfo extends PictureSize {
  readonly profile: number;
  readonly bitDepth: number;
}

/** Parses a VP9 key frame's uncompressed header; undefined when it is not a key frame. */
export function vp9KeyframeInfo(frame: Uint8Array): Vp9KeyframeInfo | undefined {
  try {
    const r = new BitReader(frame);
    if (r.bits(2) !== 2) return undefined; // frame_marker
    const profile = r.bits(1) | (r.bits(1) << 1);
    if (profile === 3) r.bits(1);
    if (r.flag()) return undefined; // show_existing_frame
    if (r.flag()) return undefined; // frame_type 1: not a key frame
    r.bits(2); // show_frame, error_resilient_mode
    if (r.bits(24) !== 0x498342) return undefined; // sync code
    let bitDepth = 8;
    if (profile >= 2) bitDepth = r.flag() ? 12 : 10;
    const colorSpace = r.bits(3);
    if (colorSpace !== 7) {
      r.bits(1); // color_range
      if (profile === 1 || profile === 3) r.bits(3); // subsampling_x, subsampling_y, reserved
    } else if (profile === 1 || profile === 3) {
      r.bits(1);
    }
    const width = r.bits(16) + 1;
    const height = r.bits(16) + 1;
    return { profile, bitDepth, width, height };
  } catch {
    return undefined;
  }
}

/** The WebCodecs codec string of a VP9 stream: `vp09.PP.LL.DD` (level 3.1 when unknown). */
export const vp9CodecString = (info: Vp9KeyframeInfo): string => `vp09.${String(info.profile).padStart(2, '0')}.31.${String(info.bitDepth).padStart(2, '0')}`;
