/**
 * What each kind of unit runs: the pipeline its process builds, as data (pure functions, so
 * they are tested without GStreamer). Every unit is the same frame around a different middle:
 *
 *   fd 3 → fdsrc ! rtpstreamdepay ! jitter buffer ! depayload ! decode ─┐
 *                                                                      middle (raw media)
 *   fd 4 ← fdsink ! rtpstreampay ! payload ! encode ◀──────────────────┘   (or a fakesink)
 */
import type { MediaKind, RtpCodec } from '../types/media.js';
import { codecLabel } from '../rtp/codecs.js';
import { decodeChain, encodeChain, inputCaps, kindOfCodec, type EncoderSettings } from './codecChains.js';
import { ProcessingError } from './errors.js';
import { ALLOWED_FILTER_ELEMENTS, type FilterType, type ParsedCommand } from './filterCommand.js';

/** The spec a unit's process reads as its first line (see helper/gst_unit.py). */
export interface UnitSpec {
  readonly mode: 'run';
  /** gst-launch description of the whole pipeline; only our own fixed elements. */
  readonly pipeline: string;
  /** Caps set on named capsfilters (kept out of the description: no quoting inside quoting). */
  readonly caps: Readonly<Record<string, string>>;
  /** Element factories checked before anything is built, so a missing plugin is named. */
  readonly required: readonly string[];
  /** The GStreamerFilter element, linked by the process between `user-in` and `user-out`. */
  readonly filter?: FilterSpec;
  readonly faceOverlay?: { readonly detector: string; readonly slots: readonly string[] };
  readonly imageOverlay?: { readonly overlay: string };
  /** Element whose src pad takes forced-keyframe events. */
  readonly encoder?: string;
  /** Element on whose sink pad upstream keyframe requests are watched. */
  readonly keyframeWatch: string;
  /** Payloader whose output caps are reported. */
  readonly payloader?: string;
}

/** The spec of an RTSP source unit (helper/gst_unit.py's RtspUnit builds its pipeline as streams appear). */
export interface RtspSourceSpec {
  readonly mode: 'rtsp';
  /** The rtsp:// or rtsps:// URL, credentials included (rtspsrc takes them from it). */
  readonly location: string;
  /** rtspsrc's jitter-buffer latency, ms (PlayerEndpoint's networkCache). */
  readonly latency: number;
  /** How long rtspsrc may wait for the server's answer to TEARDOWN, ms. */
  readonly teardownTimeoutMs: number;
  /** Our payload type per encoding name. */
  readonly payloadTypes: Readonly<Record<string, number>>;
  readonly mtu: number;
  readonly required: readonly string[];
}

/** An RTSP source: rtspsrc, then per stream a depayloader and payloader of its codec (no decoding). */
export function rtspSourceSpec(options: { readonly location: string; readonly latencyMs: number; readonly payloadTypes: Readonly<Record<string, number>> }): RtspSourceSpec {
  return {
    mode: 'rtsp',
    location: options.location,
    latency: Math.max(0, Math.round(options.latencyMs)),
    teardownTimeoutMs: 1000,
    payloadTypes: options.payloadTypes,
    mtu: 1200,
    required: ['rtspsrc', 'rtpfunnel', 'rtpstreampay', 'fdsink'],
  };
}

/** The user's element of a GStreamerFilter unit. */
export interface FilterSpec {
  readonly command: string;
  readonly factory: string;
  readonly allowed: readonly string[];
  readonly filterType: FilterType;
  readonly kind: 'AUDIO' | 'VIDEO';
  /** The command's own properties (GStreamer sets them while parsing; a few need our help, see the helper). */
  readonly commandProperties: readonly (readonly [string, string])[];
  /** Properties set after parsing, in order (setElementProperty calls made before the unit existed). */
  readonly properties: readonly (readonly [string, string])[];
}

/** What every unit is given: its input codec, its output codec (none: it only analyses), how. */
export interface FrameOptions {
  readonly input: RtpCodec;
  readonly output?: RtpCodec;
  readonly encoder?: EncoderSettings;
  /** rtpjitterbuffer latency, ms: reordering (NACK retransmissions arrive late) is repaired within it. */
  readonly jitterLatencyMs?: number;
}

/** Cascade facedetect uses (Debian's opencv-data). */
export const FACE_CASCADE = '/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml';
/** Faces that get an overlay at once. */
export const FACE_SLOTS = 4;
/** Width of the copy facedetect looks at (a quarter of the pixels of 640×480; faces stay found). */
export const DETECTION_WIDTH = 320;

const DEFAULT_JITTER_MS = 50;

/** A transcoder: decode `input`, encode `output`. */
export function transcoderSpec(options: FrameOptions & { readonly output: RtpCodec }): UnitSpec {
  const kind = sameKind(options.input, options.output);
  return frame(options, kind === 'video' ? 'videoconvert' : 'audioconvert');
}

/** A GStreamerFilter: decode, the user's element, encode. */
export function filterSpec(
  options: FrameOptions & { readonly command: ParsedCommand; readonly filterType: FilterType; readonly properties?: readonly (readonly [string, string])[] },
): UnitSpec {
  const kind = kindOfCodec(options.input);
  const wanted = kind === 'video' ? 'VIDEO' : 'AUDIO';
  if (options.filterType !== 'AUTODETECT' && options.filterType !== wanted) {
    throw new ProcessingError('invalid-command', `a ${options.filterType} filter cannot process ${kind} (${codecLabel(options.input)})`);
  }
  const convert = kind === 'video' ? 'videoconvert' : 'audioconvert';
  const filter: FilterSpec = {
    command: options.command.command,
    factory: options.command.factory,
    allowed: [...ALLOWED_FILTER_ELEMENTS.keys()],
    filterType: options.filterType,
    kind: wanted,
    commandProperties: options.command.properties,
    properties: options.properties ?? [],
  };
  return { ...frame(options, `${convert} name=user-in ! ${convert} name=user-out`), filter };
}

/** FaceOverlayFilter: faces found on a scaled copy in its own thread; one overlay slot per face. */
export function faceOverlaySpec(options: FrameOptions): UnitSpec {
  requireVideo(options.input, 'FaceOverlayFilter');
  const slots = Array.from({ length: FACE_SLOTS }, (_, i) => `face-${i}`);
  const detection =
    `queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! videoscale ! video/x-raw,width=${DETECTION_WIDTH},pixel-aspect-ratio=1/1 ` +
    `! videoconvert ! facedetect name=faces display=false updates=every_frame min-size-width=16 min-size-height=16 profile=${FACE_CASCADE} ` +
    `! fakesink sync=false async=false`;
  const middle = `videoconvert ! tee name=split ! ${detection} split. ! videoconvert ! ${slots.map((s) => `gdkpixbufoverlay name=${s}`).join(' ! ')} ! videoconvert`;
  const spec = frame(options, middle);
  return { ...spec, required: [...spec.required, 'tee', 'queue', 'facedetect', 'gdkpixbufoverlay'], faceOverlay: { detector: 'faces', slots } };
}

/** ImageOverlayFilter: every image composed into one frame-sized layer. */
export function imageOverlaySpec(options: FrameOptions): UnitSpec {
  requireVideo(options.input, 'ImageOverlayFilter');
  const spec = frame(options, 'videoconvert ! gdkpixbufoverlay name=images ! videoconvert');
  return { ...spec, required: [...spec.required, 'gdkpixbufoverlay'], imageOverlay: { overlay: 'images' } };
}

/** ZBarFilter: decode and scan; no output (the element forwards its input unchanged). */
export function barcodeSpec(options: Omit<FrameOptions, 'output' | 'encoder'>): UnitSpec {
  requireVideo(options.input, 'ZBarFilter');
  const spec = frame(options, 'videoconvert ! zbar name=zbar cache=false');
  return { ...spec, required: [...spec.required, 'zbar'] };
}

function frame(options: FrameOptions, middle: string): UnitSpec {
  const decode = decodeChain(options.input, options.jitterLatencyMs ?? DEFAULT_JITTER_MS);
  const encode = options.output === undefined ? undefined : encodeChain(options.output, options.encoder);
  if (options.output !== undefined) sameKind(options.input, options.output);
  const head = `fdsrc fd=3 do-timestamp=true blocksize=65536 ! capsfilter name=rtp-in ! rtpstreamdepay ! ${decode.description}`;
  const tail = encode === undefined ? 'fakesink sync=false async=false' : `${encode.description} ! rtpstreampay ! fdsink fd=4 sync=false async=false`;
  const middleElements = middle
    .split('!')
    .map((s) => s.trim().split(/\s+/)[0] ?? '')
    .filter((n) => /^[a-z0-9_-]+$/.test(n) && !n.endsWith('.'));
  const required = new Set(['fdsrc', 'capsfilter', 'rtpstreamdepay', ...decode.elements, ...middleElements, ...(encode?.elements ?? []), ...(encode ? ['rtpstreampay', 'fdsink'] : ['fakesink'])]);
  return {
    mode: 'run',
    pipeline: `${head} ! ${middle} ! ${tail}`,
    caps: { 'rtp-in': inputCaps(options.input) },
    required: [...required],
    encoder: encode === undefined ? undefined : 'enc',
    keyframeWatch: 'depay',
    payloader: encode === undefined ? undefined : 'pay',
  };
}

function sameKind(input: RtpCodec, output: RtpCodec): MediaKind {
  const kind = kindOfCodec(input);
  if (kindOfCodec(output) !== kind) throw new ProcessingError('unsupported-codec', `cannot turn ${codecLabel(input)} into ${codecLabel(output)}: not the same kind of media`);
  return kind;
}

function requireVideo(codec: RtpCodec, what: string): void {
  if (kindOfCodec(codec) !== 'video') throw new ProcessingError('unsupported-codec', `${what} processes video, not ${codecLabel(codec)}`);
}
