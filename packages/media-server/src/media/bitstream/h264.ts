/**
 * What a container needs from H.264 parameter sets: picture size and the codec string from the
 * SPS (ITU-T H.264 §7.3.2.1.1), and the AVCDecoderConfigurationRecord built from SPS and PPS
 * (ISO/IEC 14496-15 §5.3.3.1), since the depacketizer writes AVCC access units.
 */
import { BitReader } from './BitReader.js';

/** What the SPS says. */
export interface H264SpsInfo {
  readonly profileIdc: number;
  readonly constraintFlags: number;
  readonly levelIdc: number;
  readonly width: number;
  readonly height: number;
}

/** Removes emulation-prevention bytes (00 00 03 → 00 00), §7.4.1. */
function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Parses an SPS NAL unit (with its header byte); throws on a malformed one. */
export function parseH264Sps(nal: Uint8Array): H264SpsInfo {
  if (((nal[0] ?? 0) & 0x1f) !== 7 || nal.length < 4) throw new TypeError('not an H.264 SPS');
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profileIdc = r.bits(8);
  const constraintFlags = r.bits(8);
  const levelIdc = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    r.ue(); // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.flag(); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) for (let i = 0; i < (chromaFormatIdc !== 3 ? 8 : 12); i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.flag();
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.flag(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.flag(); // mb_adaptive_frame_field_flag
  r.flag(); // direct_8x8_inference_flag
  let [left, right, top, bottom] = [0, 0, 0, 0];
  if (r.flag()) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const cropX = chromaArrayType === 0 ? 1 : chromaFormatIdc === 3 ? 1 : 2;
  const cropY = (chromaArrayType === 0 ? 1 : chromaFormatIdc === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
  const width = widthMbs * 16 - cropX * (left + right);
  const height = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16 - cropY * (top + bottom);
  return { profileIdc, constraintFlags, levelIdc, width, height };
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** The codec string of an SPS, as WebCodecs and MP4 name it: `avc1.42e01f`. */
export const h264CodecString = (sps: H264SpsInfo): string => `avc1.${hex2(sps.profileIdc)}${hex2(sps.constraintFlags)}${hex2(sps.levelIdc)}`;

/** The AVCDecoderConfigurationRecord (avcC) of one SPS and one PPS, with 4-byte NAL lengths. */
export function avcDecoderConfigurationRecord(sps: Uint8Array, pps: Uint8Array): Uint8Array {
  const out = new Uint8Array(11 + sps.length + pps.length);
  out.set([1, sps[1] ?? 0, sps[2] ?? 0, sps[3] ?? 0, 0xff, 0xe1, sps.length >> 8, sps.length & 0xff]);
  out.set(sps, 8);
  let n = 8 + sps.length;
  out.set([1, pps.length >> 8, pps.length & 0xff], n);
  n += 3;
  out.set(pps, n);
  return out;
}
