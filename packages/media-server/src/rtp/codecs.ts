/**
 * Codec identity across two SDP negotiations: whether what one peer sends can be forwarded,
 * unchanged, to a peer that negotiated another list. Payload-type numbers mean nothing across
 * m-lines; the codec does (mediasoup's ortc.ts matching rules are the model: name, clock rate,
 * channels, and the format parameters that change the bitstream: H.264 profile and
 * packetization mode, VP9 and AV1 profile).
 */
import type { RtpCodec } from '../types/media.js';

/** Codecs that are not media of their own (retransmission, redundancy, FEC). */
const NOT_MEDIA = /\/(rtx|red|ulpfec|flexfec-03)$/i;

/** Whether a codec carries media itself (not RTX, RED or FEC). */
export const isMediaCodec = (codec: Pick<RtpCodec, 'mimeType'>): boolean => !NOT_MEDIA.test(codec.mimeType);

/** The codec's name without its kind, upper case: `VP8`, `H264`, `OPUS`. */
export const codecName = (codec: Pick<RtpCodec, 'mimeType'>): string => codec.mimeType.slice(codec.mimeType.indexOf('/') + 1).toUpperCase();

/** Parses an fmtp value (`a=b;c=d`) into parameters; keys are lower case. */
export function parseFmtp(fmtp: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (fmtp ?? '').split(';')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key !== '') out[key] = eq < 0 ? '' : part.slice(eq + 1).trim();
  }
  return out;
}

/** H.264 profiles that matter for decoding (RFC 6184 §8.1 profile-level-id, ITU-T H.264 Annex A). */
export type H264Profile = 'ConstrainedBaseline' | 'Baseline' | 'Main' | 'Extended' | 'ConstrainedHigh' | 'High' | 'High10' | 'High422' | 'High444';

/** The H.264 profile of a profile-level-id (six hex digits); undefined when malformed. RFC 6184 §8.1: absent means 42000A. */
export function h264Profile(profileLevelId: string | undefined): H264Profile | undefined {
  const id = profileLevelId ?? '42000a';
  if (!/^[0-9a-f]{6}$/i.test(id)) return undefined;
  const idc = parseInt(id.slice(0, 2), 16);
  const iop = parseInt(id.slice(2, 4), 16);
  const cs0 = (iop & 0x80) !== 0;
  const cs1 = (iop & 0x40) !== 0;
  switch (idc) {
    case 0x42:
      return cs1 ? 'ConstrainedBaseline' : 'Baseline';
    case 0x4d:
      return cs0 ? 'ConstrainedBaseline' : 'Main';
    case 0x58:
      return cs0 && cs1 ? 'ConstrainedBaseline' : cs0 ? 'Baseline' : 'Extended';
    case 0x64:
      return (iop & 0x0c) === 0x0c ? 'ConstrainedHigh' : 'High';
    case 0x6e:
      return 'High10';
    case 0x7a:
      return 'High422';
    case 0xf4:
      return 'High444';
    default:
      return undefined;
  }
}

const param = (codec: RtpCodec, key: string, fallback: string): string => codec.parameters[key] ?? fallback;

/**
 * Whether a stream of codec `source` can be sent, as is, to a peer that negotiated `sink`.
 * A Constrained Baseline stream is also a valid Baseline stream, so it may go to a Baseline sink.
 */
export function canForward(source: RtpCodec, sink: RtpCodec): boolean {
  if (source.mimeType.toLowerCase() !== sink.mimeType.toLowerCase() || source.clockRate !== sink.clockRate) return false;
  if (source.mimeType.toLowerCase().startsWith('audio/') && (source.channels ?? 1) !== (sink.channels ?? 1)) return false;
  switch (codecName(source)) {
    case 'H264': {
      if (param(source, 'packetization-mode', '0') !== param(sink, 'packetization-mode', '0')) return false;
      const from = h264Profile(source.parameters['profile-level-id']);
      const to = h264Profile(sink.parameters['profile-level-id']);
      return from !== undefined && (from === to || (from === 'ConstrainedBaseline' && to === 'Baseline'));
    }
    case 'H265':
      return param(source, 'packetization-mode', '0') === param(sink, 'packetization-mode', '0');
    case 'VP9':
      return param(source, 'profile-id', '0') === param(sink, 'profile-id', '0');
    case 'AV1':
      return param(source, 'profile', '0') === param(sink, 'profile', '0');
    default:
      return true;
  }
}

/** The first of `candidates` that `source` can be forwarded to. */
export function forwardingTarget(source: RtpCodec, candidates: readonly RtpCodec[]): RtpCodec | undefined {
  return candidates.find((c) => isMediaCodec(c) && canForward(source, c));
}

/** A codec as a person reads it in an error: `H264/90000 (packetization-mode=1;profile-level-id=42e01f)`. */
export function codecLabel(codec: RtpCodec): string {
  const name = codec.mimeType.slice(codec.mimeType.indexOf('/') + 1);
  const channels = codec.channels !== undefined && codec.channels > 1 ? `/${codec.channels}` : '';
  const keys = Object.keys(codec.parameters).filter((k) => SIGNIFICANT.has(k)).sort();
  const fmtp = keys.map((k) => `${k}=${codec.parameters[k] ?? ''}`).join(';');
  return `${name}/${codec.clockRate}${channels}${fmtp ? ` (${fmtp})` : ''}`;
}

/** The format parameters `canForward` looks at (and so worth naming in a message). */
const SIGNIFICANT = new Set(['profile-level-id', 'packetization-mode', 'profile-id', 'profile']);
