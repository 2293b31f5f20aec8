/**
 * What flows on an edge of the media graph, per media kind: the source pad says what its
 * element produces (codecs, the one flowing now, SSRC, sender-report clock), the sink says what
 * it accepts, and the edge's evaluation decides whether media can be forwarded as it is, under
 * which payload type of the sink's own numbering, or needs a transcoder. Pure: no I/O here.
 */
import { canForward, codecLabel, codecName, forwardingTarget, isMediaCodec } from '../rtp/codecs.js';
import type { ClockMapping, MediaKind, RtpCodec } from '../types/media.js';

/** What an element produces for one kind. Mutated by its owner, read live by every edge downstream. */
export class SourcePad {
  /** Every codec that may arrive, in the source's payload-type numbering. */
  codecs: readonly RtpCodec[] = [];
  /** The codec flowing now (or expected first); undefined before the source negotiated. */
  active: RtpCodec | undefined;
  /** SSRC of the stream flowing now, once a packet arrived. */
  ssrc: number | undefined;
  /** The latest sender report's clock of that stream (for lip sync in recorders and mixers). */
  clock: ClockMapping | undefined;

  constructor(readonly kind: MediaKind) {}
}

/**
 * What a sink takes for one kind: the codecs its peer negotiated (in the peer's numbering), codecs
 * by name in the source's own numbering (a recorder: what its container holds), or anything
 * (forwarding elements).
 */
export type SinkCaps = { readonly codecs: readonly RtpCodec[] } | { readonly names: readonly string[] } | 'any';

/** The codecs a sink's peer negotiated (none for the other kinds of caps). */
export function negotiatedCodecs(caps: SinkCaps | undefined): readonly RtpCodec[] {
  return caps !== undefined && caps !== 'any' && 'codecs' in caps ? caps.codecs : [];
}

/** What a sink takes, as a person reads it in an error. */
export function acceptedLabel(caps: SinkCaps | undefined): string {
  if (caps === undefined || caps === 'any') return 'nothing';
  const labels = 'codecs' in caps ? caps.codecs.filter(isMediaCodec).map(codecLabel) : [...caps.names];
  return labels.join(', ') || 'nothing';
}

/** Where an edge stands. */
export type EdgeStatus =
  /** Source or sink not negotiated yet: nothing can flow. */
  | 'pending'
  /** Media goes to the sink as it is, under the sink's payload types. */
  | 'forwarding'
  /** Through a transcoder (the processing backend's hook). */
  | 'transcoding'
  /** The sink takes no codec the source sends, and no transcoder is available: nothing is sent. */
  | 'unsupported';

/** Payload type meaning "not forwarded" in a payload map. */
export const DROP = -1;

/** The outcome of evaluating one edge. */
export interface EdgeState {
  readonly status: EdgeStatus;
  /** The source codec flowing now. */
  readonly sourceCodec: RtpCodec | undefined;
  /** The sink's codec it arrives as (forwarding: the match of the source codec). */
  readonly sinkCodec: RtpCodec | undefined;
  /**
   * Source payload type → sink payload type, for every source codec the sink can take (so a
   * source that switches among its negotiated codecs keeps flowing), DROP for the others.
   */
  readonly payloadMap: Int16Array;
}

/**
 * A transcoder between one source and every sink that needs the same target codec: the source
 * pushes its packets in once, each sink gets the output. Shared and counted by the provider.
 */
export interface TranscodeRoute {
  /** The sink codec the transcoder produces (in the sink's numbering). */
  readonly target: RtpCodec;
  /** Hot path: a packet of the source. */
  input(packet: Buffer): void;
  /** Adds a receiver of the output (and of a failure); returns the function that removes it. */
  attach(output: (packet: Buffer) => void, failed: (error: Error) => void): () => void;
  /** A sink wants a keyframe: the transcoder's encoder makes one. */
  requestKeyframe(): void;
  /** One user less; the last one closes the transcoder. */
  release(): void;
}

/** The hook where the processing backend inserts transcoders. */
export interface TranscoderProvider {
  /** The sink codec a transcoder would make of `from`, if one can (no transcoder is made). */
  candidate(kind: MediaKind, from: RtpCodec, to: readonly RtpCodec[]): RtpCodec | undefined;
  /** A route from `source`'s stream of `from` to `target`, shared with other sinks of the same; counted. */
  acquire(source: object, kind: MediaKind, from: RtpCodec, target: RtpCodec, keyframeFromSource: () => void): TranscodeRoute;
}

/** The codec a name stands for when a sink takes codecs by name and a transcoder must make one. */
const DEFAULT_CODECS: Readonly<Record<string, RtpCodec>> = {
  VP8: { mimeType: 'video/VP8', clockRate: 90000, parameters: {}, payloadType: 96 },
  H264: { mimeType: 'video/H264', clockRate: 90000, parameters: { 'level-asymmetry-allowed': '1', 'packetization-mode': '1', 'profile-level-id': '42e01f' }, payloadType: 102 },
  OPUS: { mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { minptime: '10', useinbandfec: '1' }, payloadType: 111 },
};

const identity = (() => {
  const map = new Int16Array(128);
  for (let pt = 0; pt < 128; pt++) map[pt] = pt;
  return map;
})();
const nothing = new Int16Array(128).fill(DROP);

/** Evaluates an edge from what the source produces and what the sink takes. */
export function evaluateEdge(kind: MediaKind, pad: SourcePad | undefined, accepts: SinkCaps | undefined, transcoders?: TranscoderProvider): EdgeState {
  const active = pad?.active;
  if (!pad || !active || accepts === undefined) return { status: 'pending', sourceCodec: active, sinkCodec: undefined, payloadMap: nothing };
  if (accepts === 'any') return { status: 'forwarding', sourceCodec: active, sinkCodec: active, payloadMap: identity };
  if ('names' in accepts) {
    if (accepts.names.includes(codecName(active))) return { status: 'forwarding', sourceCodec: active, sinkCodec: active, payloadMap: identity };
    const into = transcoders?.candidate(kind, active, accepts.names.flatMap((n) => DEFAULT_CODECS[n] ?? []));
    if (into) return { status: 'transcoding', sourceCodec: active, sinkCodec: into, payloadMap: identity };
    return { status: 'unsupported', sourceCodec: active, sinkCodec: undefined, payloadMap: nothing };
  }
  const target = forwardingTarget(active, accepts.codecs);
  if (target) return { status: 'forwarding', sourceCodec: active, sinkCodec: target, payloadMap: payloadMap(pad.codecs, accepts.codecs) };
  const transcoded = transcoders?.candidate(kind, active, accepts.codecs.filter(isMediaCodec));
  if (transcoded) return { status: 'transcoding', sourceCodec: active, sinkCodec: transcoded, payloadMap: onePayloadType(transcoded.payloadType) };
  return { status: 'unsupported', sourceCodec: active, sinkCodec: undefined, payloadMap: nothing };
}

/** The map of a transcoder's output: its one payload type, as it is. */
function onePayloadType(pt: number): Int16Array {
  const map = new Int16Array(128).fill(DROP);
  map[pt & 0x7f] = pt;
  return map;
}

/** Maps every source codec to the first sink codec it can be forwarded as. */
function payloadMap(from: readonly RtpCodec[], to: readonly RtpCodec[]): Int16Array {
  const map = new Int16Array(128).fill(DROP);
  for (const codec of from) {
    if (!isMediaCodec(codec)) continue;
    const target = to.find((c) => isMediaCodec(c) && canForward(codec, c));
    if (target) map[codec.payloadType & 0x7f] = target.payloadType;
  }
  return map;
}

/** Whether two edge states differ in what a sink must do or report. */
export function sameEdgeState(a: EdgeState | undefined, b: EdgeState): boolean {
  return a !== undefined && a.status === b.status && a.sourceCodec === b.sourceCodec && a.sinkCodec === b.sinkCodec && samePayloadMap(a.payloadMap, b.payloadMap);
}

function samePayloadMap(a: Int16Array, b: Int16Array): boolean {
  if (a === b) return true;
  for (let i = 0; i < 128; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Orders an m-line's codecs for an answer or offer: codecs the source of what we send can be
 * forwarded as come first, then codecs every sink of what we receive accepts. Stable otherwise.
 */
export function preferredOrder<T extends RtpCodec>(codecs: readonly T[], sending: RtpCodec | undefined, sinks: readonly (readonly RtpCodec[])[]): T[] {
  const score = (c: T): number => {
    if (!isMediaCodec(c)) return 0;
    const forSource = sending !== undefined && canForward(sending, c) ? 2 : 0;
    const forSinks = sinks.length > 0 && sinks.every((accepted) => accepted.some((a) => canForward(c, a))) ? 1 : 0;
    return forSource + forSinks;
  };
  return codecs.map((c, i) => ({ c, i, s: score(c) })).sort((a, b) => b.s - a.s || a.i - b.i).map((x) => x.c);
}
