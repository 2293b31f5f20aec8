/**
 * The GStreamer elements that turn an RTP stream of one codec into raw media and back, chosen
 * for real-time work on a small machine (measured in docs/architecture.md, "Processing"):
 *
 * - VP8: libvpx (`vp8dec`, `vp8enc` with deadline=1, the real-time mode, and no lag frames).
 * - VP9: libvpx `vp9dec` (decode only: VP9 encoding costs several times VP8's).
 * - H.264: FFmpeg's decoder (`avdec_h264`: every profile, single-threaded so that it adds no
 *   frame of delay) and x264 (`x264enc` with zerolatency: no B-frames, no lookahead; every
 *   profile a browser negotiates, where openh264 does only Constrained Baseline).
 * - Opus: libopus (`opusdec`, `opusenc`, 20 ms frames as browsers send).
 * - AAC: FFmpeg's native encoder and decoder (`avenc_aac`, `avdec_aac`; Debian has no FDK), in
 *   RTP as RFC 3640 mpeg4-generic AAC-hbr (`rtpmp4gpay`), the form players and recorders use.
 *
 * Each chain is a gst-launch fragment of our own elements (no user text), with the names the
 * unit's process looks for: `depay` (keyframe requests seen upstream), `enc` (keyframes forced),
 * `pay` (the output caps reported).
 */
import type { MediaKind, RtpCodec } from '../types/media.js';
import { codecName, h264Profile } from '../rtp/codecs.js';
import { ProcessingError } from './errors.js';

/** Encoder settings a unit may override. */
export interface EncoderSettings {
  /** Target bitrate of video encoders, kbit/s. */
  readonly videoBitrateKbps?: number;
  /** Target bitrate of audio encoders, kbit/s. */
  readonly audioBitrateKbps?: number;
  /** Most frames between two keyframes when none is asked for. */
  readonly keyframeIntervalFrames?: number;
  /** Encoder threads (0: the encoder's own choice). */
  readonly threads?: number;
}

/** Defaults: a 640×480 camera picture at 30 fps, a keyframe at least every 10 s. */
export const DEFAULT_ENCODER_SETTINGS: Required<EncoderSettings> = {
  videoBitrateKbps: 1500,
  audioBitrateKbps: 64,
  keyframeIntervalFrames: 300,
  threads: 1,
};

/** A piece of a unit's pipeline and the element factories it needs. */
export interface ChainPart {
  readonly description: string;
  readonly elements: readonly string[];
}

/** The codecs the backend decodes. */
export const DECODABLE = ['VP8', 'VP9', 'H264', 'OPUS', 'MPEG4-GENERIC'] as const;
/** The codecs the backend encodes. */
export const ENCODABLE = ['VP8', 'H264', 'OPUS', 'MPEG4-GENERIC'] as const;

/** The media kind of a codec (from its MIME type). */
export function kindOfCodec(codec: RtpCodec): MediaKind {
  return codec.mimeType.toLowerCase().startsWith('audio/') ? 'audio' : 'video';
}

/** Whether the backend can decode this codec. */
export const canDecode = (codec: RtpCodec): boolean => (DECODABLE as readonly string[]).includes(codecName(codec));
/** Whether the backend can encode this codec (for H.264: a profile x264 makes). */
export const canEncode = (codec: RtpCodec): boolean =>
  (ENCODABLE as readonly string[]).includes(codecName(codec)) && (codecName(codec) !== 'H264' || x264Profile(codec) !== undefined);

/**
 * The caps of the RTP stream a unit reads, as `application/x-rtp-stream` (what rtpstreamdepay
 * takes; it passes the fields on as `application/x-rtp`): media, clock rate, encoding name,
 * payload type and the fmtp parameters depayloaders read (H.264 sprop-parameter-sets, AAC's
 * config and sizes).
 */
export function inputCaps(codec: RtpCodec): string {
  const kind = kindOfCodec(codec);
  const fields = [`media=(string)${kind}`, `clock-rate=(int)${codec.clockRate}`, `encoding-name=(string)${codecName(codec)}`, `payload=(int)${codec.payloadType}`];
  if (kind === 'audio' && codec.channels !== undefined) fields.push(`encoding-params=(string)${codec.channels}`);
  for (const [key, value] of Object.entries(codec.parameters)) {
    if (!/^[a-z0-9-]+$/i.test(key) || CAPS_RESERVED.has(key)) continue;
    fields.push(`${key.toLowerCase()}=(string)${quoteCapsString(value)}`);
  }
  return `application/x-rtp-stream, ${fields.join(', ')}`;
}

const CAPS_RESERVED = new Set(['media', 'clock-rate', 'encoding-name', 'payload', 'encoding-params']);

/** A caps string value in double quotes (fmtp values may hold `,`, `=` and `;`). */
function quoteCapsString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** RTP depayloading and decoding of `codec` to raw media; the first element is the jitter buffer. */
export function decodeChain(codec: RtpCodec, jitterLatencyMs: number): ChainPart {
  const jitter = `rtpjitterbuffer latency=${Math.max(0, Math.round(jitterLatencyMs))} do-lost=true`;
  switch (codecName(codec)) {
    case 'VP8':
      return part(`${jitter} ! rtpvp8depay name=depay request-keyframe=true wait-for-keyframe=true ! vp8dec threads=1`);
    case 'VP9':
      return part(`${jitter} ! rtpvp9depay name=depay request-keyframe=true wait-for-keyframe=true ! vp9dec threads=1`);
    case 'H264':
      return part(`${jitter} ! rtph264depay name=depay request-keyframe=true wait-for-keyframe=true ! h264parse ! avdec_h264 max-threads=1`);
    case 'OPUS':
      return part(`${jitter} ! rtpopusdepay name=depay ! opusdec plc=true`);
    case 'MPEG4-GENERIC':
      return part(`${jitter} ! rtpmp4gdepay name=depay ! avdec_aac`);
    default:
      throw new ProcessingError('unsupported-codec', `cannot decode ${codec.mimeType}: the processing backend decodes VP8, VP9, H264, opus and mpeg4-generic (AAC)`);
  }
}

/** Encoding of raw media into `codec` and its RTP payloading, with the codec's payload type. */
export function encodeChain(codec: RtpCodec, settings: EncoderSettings = {}): ChainPart {
  const s = { ...DEFAULT_ENCODER_SETTINGS, ...settings };
  const pt = codec.payloadType;
  switch (codecName(codec)) {
    case 'VP8':
      return part(
        `vp8enc name=enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=${s.videoBitrateKbps * 1000} lag-in-frames=0 ` +
          `keyframe-max-dist=${s.keyframeIntervalFrames} error-resilient=default threads=${s.threads} ` +
          `! rtpvp8pay name=pay pt=${pt} mtu=1200 picture-id-mode=15-bit`,
      );
    case 'H264': {
      const profile = x264Profile(codec);
      if (profile === undefined) throw new ProcessingError('unsupported-codec', `cannot encode H.264 of profile-level-id ${codec.parameters['profile-level-id'] ?? '(none)'}`);
      // Packetization mode 0 allows only single NAL units: x264 cuts slices that fit a packet.
      const singleNal = (codec.parameters['packetization-mode'] ?? '0') === '0';
      // ultrafast turns off what Main (CABAC) and High (8x8 transforms) add, and x264 then signals
      // Constrained Baseline: a sink that negotiated Main or High gets those tools back.
      const tools = profile === 'high' ? ' cabac=true dct8x8=true' : profile === 'main' ? ' cabac=true' : '';
      return part(
        `x264enc name=enc tune=zerolatency speed-preset=ultrafast bitrate=${s.videoBitrateKbps} key-int-max=${s.keyframeIntervalFrames} ` +
          `threads=${s.threads}${tools}${singleNal ? ' option-string=slice-max-size=1100' : ''} ! video/x-h264,profile=${profile} ` +
          `! rtph264pay name=pay pt=${pt} mtu=1200 config-interval=-1 aggregate-mode=${singleNal ? 'none' : 'zero-latency'}`,
      );
    }
    case 'OPUS':
      return part(`audioconvert ! audioresample ! audio/x-raw,rate=48000 ! opusenc name=enc bitrate=${s.audioBitrateKbps * 1000} frame-size=20 ! rtpopuspay name=pay pt=${pt}`);
    case 'MPEG4-GENERIC': {
      const channels = codec.channels ?? 2;
      return part(`audioconvert ! audioresample ! audio/x-raw,rate=${codec.clockRate},channels=${channels} ! avenc_aac name=enc bitrate=${s.audioBitrateKbps * 1000} ! rtpmp4gpay name=pay pt=${pt}`);
    }
    default:
      throw new ProcessingError('unsupported-codec', `cannot encode ${codec.mimeType}: the processing backend encodes VP8, H264, opus and mpeg4-generic (AAC)`);
  }
}

/** x264's name for the H.264 profile a sink negotiated, when x264 makes it. */
export function x264Profile(codec: RtpCodec): string | undefined {
  switch (h264Profile(codec.parameters['profile-level-id'])) {
    case 'ConstrainedBaseline':
      return 'constrained-baseline';
    case 'Baseline':
      return 'baseline';
    case 'Main':
      return 'main';
    case 'High':
    case 'ConstrainedHigh':
      return 'high';
    default:
      return undefined;
  }
}

/** The element factories of a gst-launch fragment (its first words and those after `!`). */
function part(description: string): ChainPart {
  const elements = description
    .split('!')
    .map((s) => s.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '' && !name.includes('/'));
  return { description, elements };
}

export { part as chainPart };
