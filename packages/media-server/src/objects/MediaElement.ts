/**
 * A media element: Kurento's API face of one node of the pipeline's graph (graph/MediaNode.ts
 * does the graph's work). It implements MediaElement's remote interface (connect, connections,
 * flow, transcoding, stats) and turns what its node reports into Kurento's events: an input
 * whose codec the element cannot take raises `Error` (nothing is sent), an input that forwards
 * raises `MediaTranscodingStateChanged` NOT_TRANSCODING, one through a transcoder TRANSCODING.
 */
import { KurentoError, type MediaType } from '@kurento-ts/protocol';
import { FlowMonitor } from '../graph/FlowMonitor.js';
import { acceptedLabel } from '../graph/edges.js';
import { LatencyMeter } from '../graph/latency.js';
import { MediaNode, type Connection, type EdgeInput, type NodeOwner } from '../graph/MediaNode.js';
import type { LaneSink } from '../rtp/lanes.js';
import { codecLabel } from '../rtp/codecs.js';
import { rtpPayloadLength } from '../rtp/rtpHeader.js';
import { newObjectId } from '../support/ids.js';
import { createLogger } from '../support/logger.js';
import type { DataMessage } from '../types/data.js';
import { kindOf, mediaKinds, mediaTypeOf, type MediaKind } from '../types/media.js';
import type { InboundStreamStats, OutboundStreamStats } from '../rtp/RtpSession.js';
import type { Args, ComplexServerValue, Remote, StatsEntry } from './contract.js';
import { MediaObject } from './MediaObject.js';
import type { MediaPipeline } from './MediaPipeline.js';
import type { ObjectContext } from './ObjectContext.js';
import { kindView, type EdgeView, type ElementView } from './observation.js';
import { inboundRtpEntry, latencyList, outboundRtpEntry, statsEntry } from './stats.js';
import type { ClassName } from '@kurento-ts/protocol';

const log = createLogger('kms:element');
const DEFAULT_DESCRIPTION = 'default';

/**
 * What an element does with media it receives: passes it on unchanged (PassThrough), processes
 * one kind and passes the other on (filters), or takes it out of the graph (endpoints).
 */
export type ElementRole = 'forwards' | { readonly processes: MediaKind } | 'terminates';

type ConnectionData = ComplexServerValue<'ElementConnectionData'>;
type TranscodingState = 'TRANSCODING' | 'NOT_TRANSCODING';

export abstract class MediaElement extends MediaObject implements Remote<'MediaElement'>, NodeOwner {
  /** The pipeline that owns this element. */
  readonly pipeline: MediaPipeline;
  /** Packet and flow accounting, per direction and kind. */
  readonly flow: FlowMonitor;
  /** This element's place in the graph. */
  readonly node: MediaNode<MediaElement>;
  /** Whether media entering this element goes on to its sinks inside the graph (PassThrough, filters, hub ports). */
  readonly forwardsInternally: boolean;
  /** The kind a filter processes (its other kind passes through), if this is one. */
  protected readonly processedKind: MediaKind | undefined;
  /** Latency of what enters (and, for endpoints, leaves) this element, while the pipeline measures it. */
  readonly latency = new LatencyMeter();
  /** The last MediaTranscodingStateChanged reported per kind. */
  private readonly transcodingReported: Partial<Record<MediaKind, TranscodingState>> = {};
  /** When the last media-handling failure was reported (at most one Error event a second). */
  private lastFailureAt = 0;
  /** Kurento's encoder bit-rate properties (kept: this server forwards, it does not encode). */
  private readonly bitrates = { encoderBitrate: 0, minEncoderBitrate: 0, maxEncoderBitrate: 0 };

  protected constructor(context: ObjectContext, className: ClassName, pipeline: MediaPipeline, role: ElementRole) {
    super(context, className, newObjectId(className, pipeline.id), pipeline);
    this.pipeline = pipeline;
    this.forwardsInternally = role !== 'terminates';
    this.processedKind = typeof role === 'object' ? role.processes : undefined;
    this.node = new MediaNode<MediaElement>(this, context.transcoders, pipeline.lanes);
    this.flow = new FlowMonitor((direction, kind, flowing) => {
      const state = flowing ? 'FLOWING' : 'NOT_FLOWING';
      this.raise(direction === 'in' ? 'MediaFlowInStateChanged' : 'MediaFlowOutStateChanged', { state, padName: DEFAULT_DESCRIPTION, mediaType: mediaTypeOf(kind) });
    });
  }

  passesThrough(kind: MediaKind): boolean {
    return this.forwardsInternally && kind !== this.processedKind;
  }

  override get mediaPipeline(): MediaPipeline {
    return this.pipeline;
  }

  // ---- remote interface: MediaElement ----

  connect({ sink, mediaType, sourceMediaDescription = DEFAULT_DESCRIPTION, sinkMediaDescription = DEFAULT_DESCRIPTION }: Args<'MediaElement', 'connect'>): void {
    if (sink.pipeline !== this.pipeline) throw new KurentoError('CONNECT_ERROR', 'Cannot connect elements of different pipelines');
    const { made, replaced } = this.node.connect(sink.node, mediaType, sourceMediaDescription, sinkMediaDescription);
    for (const c of replaced) c.source.owner.raise('ElementDisconnected', connectionEvent(c));
    for (const c of made) this.raise('ElementConnected', connectionEvent(c));
    // A new viewer needs a keyframe to show anything.
    if (made.some((c) => c.type === 'VIDEO')) this.keyframeRequested();
  }

  disconnect({ sink, mediaType, sourceMediaDescription, sinkMediaDescription }: Args<'MediaElement', 'disconnect'>): void {
    for (const c of this.node.disconnect(sink.node, mediaType, sourceMediaDescription, sinkMediaDescription)) this.raise('ElementDisconnected', connectionEvent(c));
  }

  getSinkConnections({ mediaType, description }: Args<'MediaElement', 'getSinkConnections'>): ConnectionData[] {
    return this.node.sinks(mediaType, description).map(connectionData);
  }

  getSourceConnections({ mediaType, description }: Args<'MediaElement', 'getSourceConnections'>): ConnectionData[] {
    return this.node.sources(mediaType, description).map(connectionData);
  }

  isMediaFlowingIn({ mediaType }: Args<'MediaElement', 'isMediaFlowingIn'>): boolean {
    return this.isFlowing('in', mediaType);
  }

  isMediaFlowingOut({ mediaType }: Args<'MediaElement', 'isMediaFlowingOut'>): boolean {
    return this.isFlowing('out', mediaType);
  }

  isMediaTranscoding({ mediaType }: Args<'MediaElement', 'isMediaTranscoding'>): boolean {
    const kind = kindOf(mediaType);
    return kind !== undefined && this.node.input(kind)?.status === 'transcoding';
  }

  getStats({ mediaType }: Args<'MediaElement', 'getStats'>): Record<string, StatsEntry> {
    return this.stats(mediaType);
  }

  getEncoderBitrate(): number {
    return this.bitrates.encoderBitrate;
  }

  setEncoderBitrate(value: number): void {
    this.bitrates.encoderBitrate = value;
  }

  getMinEncoderBitrate(): number {
    return this.bitrates.minEncoderBitrate;
  }

  setMinEncoderBitrate(value: number): void {
    this.bitrates.minEncoderBitrate = value;
  }

  getMaxEncoderBitrate(): number {
    return this.bitrates.maxEncoderBitrate;
  }

  setMaxEncoderBitrate(value: number): void {
    this.bitrates.maxEncoderBitrate = value;
  }

  // ---- what the graph node reports ----

  /** Hot path: what this element does with a packet from its source of `kind`. */
  abstract acceptRtp(kind: MediaKind, packet: Buffer): void;

  /**
   * A data-channel message from this element's DATA source: elements that forward internally
   * pass it on to their DATA sinks; the others have nowhere to put it (endpoints with data
   * channels override this).
   */
  acceptData(message: DataMessage): void {
    if (this.forwardsInternally) this.node.forwardData(message);
  }

  /** A fault in this element while handling media: reported on it, while the source's other sinks go on. */
  mediaFault(error: unknown): void {
    this.reportFailure(error);
  }

  inputChanged(kind: MediaKind, input: EdgeInput | undefined, previous: EdgeInput | undefined): void {
    if (input?.status === 'unsupported' && !(previous?.status === 'unsupported' && previous.sourceId === input.sourceId && previous.sourceCodec === input.sourceCodec)) {
      this.reportUnsupported(kind, input);
    }
    const state: TranscodingState | undefined = input?.status === 'transcoding' ? 'TRANSCODING' : input?.status === 'forwarding' ? 'NOT_TRANSCODING' : undefined;
    if (state && state !== this.transcodingReported[kind]) {
      this.transcodingReported[kind] = state;
      this.raise('MediaTranscodingStateChanged', { state, binName: DEFAULT_DESCRIPTION, mediaType: mediaTypeOf(kind) });
    }
    this.onInputChanged(kind, input);
  }

  /** The source's media ended; an element that forwards passes it on, others may act (a recorder stops). */
  inputEnded(): void {
    if (this.forwardsInternally) this.node.endOfStream();
  }

  /** A sink wants a keyframe from this element; by default the request goes upstream. */
  keyframeRequested(): void {
    this.node.requestKeyframe();
  }

  /** What an element does when the edge feeding `kind` changes (an endpoint remaps what it sends). */
  protected onInputChanged(kind: MediaKind, input: EdgeInput | undefined): void {
    void kind;
    void input;
  }

  /** Hot path: hands a packet this element produced to its sinks of `kind`. */
  protected forward(kind: MediaKind, packet: Buffer): void {
    this.node.forward(kind, packet);
  }

  /** How a forwarding lane hands this element media of `kind`: only elements that send it out as it is, on a native socket, have one. */
  laneSink(_kind: MediaKind, _ssrc: number, _pt: number): LaneSink | undefined {
    return undefined;
  }

  /** Hot path: a packet this element made itself (a file's, an upload's) goes to its sinks of `kind`, counted as flowing out. */
  protected sendProduced(kind: MediaKind, packet: Buffer): void {
    if (!this.node.hasRoutes(kind)) return;
    this.flow.count('out', kind, rtpPayloadLength(packet));
    this.node.forward(kind, packet);
  }

  /** Hands a data-channel message this element produced to its DATA sinks. */
  protected forwardData(message: DataMessage): void {
    this.node.forwardData(message);
  }

  /** Whether any sink takes this kind now. */
  protected hasSinks(kind: MediaKind): boolean {
    return this.node.hasRoutes(kind);
  }

  /** Logs a media-handling fault and raises Kurento's Error event, at most once a second. */
  protected reportFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureAt < 1000) return;
    this.lastFailureAt = now;
    log.error(`[${this.id}] media handling failed`, error);
    this.raise('Error', { description: `Media handling failed: ${error instanceof Error ? error.message : String(error)}`, errorCode: 40003, type: 'UNEXPECTED_ERROR' });
  }

  /** The source of `kind` sends a codec this element's peer cannot take, and no transcoder is available. */
  private reportUnsupported(kind: MediaKind, input: EdgeInput): void {
    const offered = acceptedLabel(this.node.acceptsOf(kind));
    const sent = input.sourceCodec ? codecLabel(input.sourceCodec) : 'an unknown codec';
    const description = `${mediaTypeOf(kind)} from ${input.sourceId} is ${sent}, but this element takes only ${offered}: no ${kind} is sent to it (a transcoder would be needed)`;
    log.warn(`[${this.id}] ${description}`);
    this.raise('Error', { description, errorCode: 40005, type: 'UNSUPPORTED_MEDIA_TYPE' });
  }

  /** Called once a second by the pipeline. */
  tick(): void {
    this.flow.tick();
  }

  protected override dispose(): void {
    // Read before the transport closes (subclasses dispose it after this): its RTCP counts go too.
    // Counting must never stop a release.
    try {
      this.context.retire(this.observe());
    } catch (e) {
      log.error(`[${this.id}] its last counters could not be read`, e);
    }
    for (const c of this.node.detachAll()) if (c.sink.owner === this) c.source.owner.raise('ElementDisconnected', connectionEvent(c));
  }

  private isFlowing(direction: 'in' | 'out', type: MediaType): boolean {
    const kind = kindOf(type);
    return kind !== undefined && this.flow[direction][kind].flowing;
  }

  /**
   * Kurento-shaped stats: one element entry (with its input latency while the pipeline measures
   * it), and per kind an inbound and an outbound RTP entry: the flow counters, and what the
   * element's RTP session knows of the streams (`streamStats`).
   */
  protected stats(type: MediaType | undefined): Record<string, StatsEntry> {
    const now = Date.now();
    const out: Record<string, StatsEntry> = {};
    const id = `${this.id}_element`;
    const inputLatency = this.pipeline.latency.enabled ? latencyList(this.latency, 'input') : [];
    out[id] = statsEntry('ElementStats', { id, type: 'element', timestampMillis: now, inputLatency });
    const transportId = this.transportStatsId();
    for (const kind of mediaKinds) {
      if (type !== undefined && kindOf(type) !== kind) continue;
      const { inbound, outbound } = this.streamStats(kind);
      const idIn = `${this.id}_inbound_${kind}`;
      const idOut = `${this.id}_outbound_${kind}`;
      out[idIn] = inboundRtpEntry(idIn, now, kind, this.flow.in[kind], transportId, inbound);
      out[idOut] = outboundRtpEntry(idOut, now, kind, this.flow.out[kind], transportId, outbound);
    }
    return out;
  }

  /**
   * This element as an operator sees it (metrics, the dashboard): its counters per kind and its
   * connections in, read now from what the media path counts anyway.
   */
  observe(): ElementView {
    const kinds = { audio: kindView(this.flow, 'audio', this.streamStats('audio')), video: kindView(this.flow, 'video', this.streamStats('video')) };
    const inputs = this.node.sources().map((c): EdgeView => {
      const kind = kindOf(c.type);
      const base = { source: c.source.owner.id, sink: this.id, mediaType: c.type };
      if (!kind) return { ...base, status: 'data', packets: 0, bytes: 0, flowing: false, fractionLost: 0 };
      const input = this.node.input(kind);
      const taken = this.flow[this.consumedFlow][kind];
      const current = input?.sourceId === base.source;
      const status = current ? input.status : 'pending';
      return {
        ...base,
        status,
        ...(current && input.sourceCodec ? { codec: codecLabel(input.sourceCodec) } : {}),
        ...(current && input.sinkCodec ? { sinkCodec: codecLabel(input.sinkCodec) } : {}),
        packets: taken.packets,
        bytes: taken.bytes,
        flowing: taken.flowing && (status === 'forwarding' || status === 'transcoding'),
        fractionLost: c.source.owner.observedLoss(kind),
      };
    });
    return { id: this.id, type: this.className, ...(this.name !== this.id ? { name: this.name } : {}), kinds, inputs };
  }

  /** The fraction (0..1) the stream of `kind` this element receives lost on its way in. */
  observedLoss(kind: MediaKind): number {
    return this.streamStats(kind).inbound?.fractionLost ?? 0;
  }

  /**
   * Which of the flow counters counts what this element takes from the graph: `in` (a PassThrough,
   * a recorder, a filter), or `out` for endpoints whose graph input leaves toward their peer.
   */
  protected get consumedFlow(): 'in' | 'out' {
    return 'in';
  }

  /** What the element's RTP session knows of its streams of `kind` (nothing for elements without one). */
  protected streamStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats } {
    void kind;
    return {};
  }

  /** The id of the transport stats entry the RTP entries point to ('' when there is none). */
  protected transportStatsId(): string {
    return '';
  }
}

/** A graph connection as Kurento's ElementConnectionData. */
function connectionData(c: Connection<MediaElement>): ConnectionData {
  return { source: c.source.owner, sink: c.sink.owner, type: c.type, sourceDescription: c.sourceDescription, sinkDescription: c.sinkDescription };
}

/** The fields of ElementConnected / ElementDisconnected for a connection. */
function connectionEvent(c: Connection<MediaElement>): { sink: MediaElement; mediaType: MediaType; sourceMediaDescription: string; sinkMediaDescription: string } {
  return { sink: c.sink.owner, mediaType: c.type, sourceMediaDescription: c.sourceDescription, sinkMediaDescription: c.sinkDescription };
}
