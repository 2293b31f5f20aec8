/**
 * Does this RTP payload start a keyframe? Read straight from the payload bytes of VP8
 * (RFC 7741 §4.2–4.3), VP9 (RFC 9628 §4.2) and H.264 (RFC 6184 §5.6–5.8), for the sinks that
 * wait for a keyframe before they forward a new source, and for recorders.
 */

/** Whether a payload starts a keyframe (its first packet). */
export type KeyframeTest = (payload: Uint8Array) => boolean;

/** VP8: the first packet of a partition 0 (S=1, PID=0) whose frame tag says key frame (P=0). */
export function vp8KeyframeStart(payload: Uint8Array): boolean {
  const offset = vp8DescriptorLength(payload);
  if (offset < 0 || offset >= payload.length) return false;
  const b0 = payload[0] ?? 0;
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return false;
  return ((payload[offset] ?? 1) & 0x01) === 0;
}

/** Length of the VP8 payload descriptor (RFC 7741 §4.2) at `payload[start, end)`, or -1 when truncated. */
export function vp8DescriptorLength(payload: Uint8Array, start = 0, end = payload.length): number {
  if (end - start < 1) return -1;
  const b0 = payload[start] ?? 0;
  if ((b0 & 0x80) === 0) return 1;
  if (end - start < 2) return -1;
  const x = payload[start + 1] ?? 0;
  let n = 2;
  if (x & 0x80) n += ((payload[start + n] ?? 0) & 0x80) !== 0 ? 2 : 1; // I: PictureID, 7 or 15 bits
  if (x & 0x40) n += 1; // L: TL0PICIDX
  if (x & 0x30) n += 1; // T or K: TID/Y/KEYIDX
  return start + n <= end ? n : -1;
}

/** VP9: the start of a frame (B=1) that is not inter-predicted (P=0), in the base spatial layer. */
export function vp9KeyframeStart(payload: Uint8Array): boolean {
  const b0 = payload[0] ?? 0;
  if (payload.length < 1 || (b0 & 0x40) !== 0 || (b0 & 0x08) === 0) return false;
  if ((b0 & 0x20) === 0) return true; // no layer indices: a single spatial layer
  let n = 1;
  if (b0 & 0x80) n += ((payload[n] ?? 0) & 0x80) !== 0 ? 2 : 1; // I: picture id
  return (((payload[n] ?? 0xff) >> 1) & 0x07) === 0; // SID
}

const IDR = 5;
const SPS = 7;
const STAP_A = 24;
const FU_A = 28;

/**
 * H.264: a packet that carries an SPS or starts an IDR slice, as a single NAL unit, inside a
 * STAP-A aggregate, or as the first fragment of an FU-A. Encoders send SPS and PPS first in
 * the access unit of an IDR, so the SPS is where a decoder can start.
 */
export function h264KeyframeStart(payload: Uint8Array): boolean {
  const type = (payload[0] ?? 0) & 0x1f;
  if (type === IDR || type === SPS) return true;
  if (type === FU_A) {
    const header = payload[1] ?? 0;
    const inner = header & 0x1f;
    return (header & 0x80) !== 0 && (inner === IDR || inner === SPS);
  }
  if (type !== STAP_A) return false;
  for (let i = 1; i + 2 < payload.length; ) {
    const size = ((payload[i] ?? 0) << 8) | (payload[i + 1] ?? 0);
    const nal = (payload[i + 2] ?? 0) & 0x1f;
    if (nal === IDR || nal === SPS) return true;
    i += 2 + size;
  }
  return false;
}

const tests: Readonly<Record<string, KeyframeTest>> = { VP8: vp8KeyframeStart, VP9: vp9KeyframeStart, H264: h264KeyframeStart };

/** The keyframe test of a codec (by `codecName`), undefined for codecs without one (audio, AV1...). */
export function keyframeTest(codecName: string): KeyframeTest | undefined {
  return tests[codecName];
}
