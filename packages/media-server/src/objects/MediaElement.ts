/**
 * A media element: a node of the pipeline's graph. Sources push RTP to the sinks connected to
 * them, per kind; sinks send keyframe requests back upstream. Kurento's rule holds: a sink
 * takes one source per media type, so a new connection replaces the old one.
 */
import { KurentoError, type ClassName, type MediaType } from '@kurento-ts/protocol';
import { matches, type ElementConnection } from '../graph/ElementConnection.js';
import { FlowMonitor } from '../graph/FlowMonitor.js';
import { kindOf, mediaKinds, mediaTypeOf, type MediaKind } from '../types/media.js';
import { MediaObject, type OperationParams } from './MediaObject.js';
import type { MediaPipeline } from './MediaPipeline.js';
import type { ObjectContext } from './ObjectContext.js';
import { newObjectId } from '../support/ids.js';
import { createLogger } from '../support/logger.js';

const log = createLogger('kms:element');
const ALL_TYPES: readonly MediaType[] = ['AUDIO', 'VIDEO', 'DATA'];
const DEFAULT_DESCRIPTION = 'default';

export abstract class MediaElement extends MediaObject {
  /** The pipeline that owns this element. */
  readonly pipeline: MediaPipeline;
  /** Packet and flow accounting, per direction and kind. */
  readonly flow: FlowMonitor;
  /** Connections from this element to sinks. */
  private readonly sinkConnections: ElementConnection[] = [];
  /** Connections from sources into this element. */
  private readonly sourceConnections: ElementConnection[] = [];
  /** Sinks per kind, rebuilt on every (dis)connection so the packet path walks a plain array. */
  private readonly sinksByKind: Record<MediaKind, MediaElement[]> = { audio: [], video: [] };
  /** Kinds for which NOT_TRANSCODING has been reported. */
  private readonly transcodingReported: Record<MediaKind, boolean> = { audio: false, video: false };
  /** When the last media-handling failure was reported (at most one Error event a second). */
  private lastFailureAt = 0;

  protected constructor(context: ObjectContext, className: ClassName, pipeline: MediaPipeline) {
    super(context, className, newObjectId(className, pipeline.id), pipeline);
    this.pipeline = pipeline;
    this.flow = new FlowMonitor((direction, kind, flowing) => {
      const state = flowing ? 'FLOWING' : 'NOT_FLOWING';
      const type = direction === 'in' ? 'MediaFlowInStateChanged' : 'MediaFlowOutStateChanged';
      this.raise(type, { state, padName: DEFAULT_DESCRIPTION, mediaType: mediaTypeOf(kind) });
    });
    this.defineElementOperations();
  }

  override get mediaPipeline(): MediaPipeline {
    return this.pipeline;
  }

  /** Connects this element to `sink` for one media type, or for all when `type` is undefined. */
  connect(sink: MediaElement, type?: MediaType, sourceDescription = DEFAULT_DESCRIPTION, sinkDescription = DEFAULT_DESCRIPTION): void {
    if (sink.pipeline !== this.pipeline) throw new KurentoError('CONNECT_ERROR', 'Cannot connect elements of different pipelines');
    for (const t of type === undefined ? ALL_TYPES : [type]) {
      if (this.sinkConnections.some((c) => c.sink === sink && c.type === t && c.sourceDescription === sourceDescription && c.sinkDescription === sinkDescription)) continue;
      const previous = sink.sourceConnections.find((c) => c.type === t && c.sinkDescription === sinkDescription);
      if (previous) previous.source.disconnect(sink, t, previous.sourceDescription, previous.sinkDescription);
      const connection: ElementConnection = { source: this, sink, type: t, sourceDescription, sinkDescription };
      this.sinkConnections.push(connection);
      sink.sourceConnections.push(connection);
      this.rebuildSinks();
      this.raise('ElementConnected', { sink: sink.id, mediaType: t, sourceMediaDescription: sourceDescription, sinkMediaDescription: sinkDescription });
      // A new viewer needs a keyframe to show anything.
      if (t === 'VIDEO') this.onKeyframeRequested();
    }
  }

  /** Removes connections to `sink` (of one type, or all). */
  disconnect(sink: MediaElement, type?: MediaType, sourceDescription?: string, sinkDescription?: string): void {
    const gone = this.sinkConnections.filter((c) => c.sink === sink && matches(c, type, sourceDescription, 'source') && matches(c, undefined, sinkDescription, 'sink'));
    for (const c of gone) {
      this.sinkConnections.splice(this.sinkConnections.indexOf(c), 1);
      sink.sourceConnections.splice(sink.sourceConnections.indexOf(c), 1);
      this.raise('ElementDisconnected', { sink: sink.id, mediaType: c.type, sourceMediaDescription: c.sourceDescription, sinkMediaDescription: c.sinkDescription });
    }
    this.rebuildSinks();
  }

  /** Connections leaving this element, optionally filtered. */
  getSinkConnections(type?: MediaType, description?: string): ElementConnection[] {
    return this.sinkConnections.filter((c) => matches(c, type, description, 'source'));
  }

  /** Connections entering this element, optionally filtered. */
  getSourceConnections(type?: MediaType, description?: string): ElementConnection[] {
    return this.sourceConnections.filter((c) => matches(c, type, description, 'sink'));
  }

  /**
   * Hot path: hands a plain RTP packet this element produced to every sink of its kind. Sinks
   * only read it (each writes its own outgoing header), so they all share the one buffer; it is
   * valid only during the call.
   */
  protected forward(kind: MediaKind, packet: Buffer): void {
    const sinks = this.sinksByKind[kind];
    for (let i = 0; i < sinks.length; i++) sinks[i]?.deliver(kind, packet);
  }

  /** Whether any sink takes this kind. */
  protected hasSinks(kind: MediaKind): boolean {
    return this.sinksByKind[kind].length > 0;
  }

  /** Hot path: a packet arrives from a connected source. */
  private deliver(kind: MediaKind, packet: Buffer): void {
    if (!this.transcodingReported[kind]) {
      this.transcodingReported[kind] = true;
      this.raise('MediaTranscodingStateChanged', { state: 'NOT_TRANSCODING', binName: DEFAULT_DESCRIPTION, mediaType: mediaTypeOf(kind) });
    }
    // A fault in one element is its own: reported on it, while the source's other sinks go on.
    try {
      this.acceptRtp(kind, packet);
    } catch (e) {
      this.reportFailure(e);
    }
  }

  /** Logs a media-handling fault and raises Kurento's Error event, at most once a second. */
  protected reportFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureAt < 1000) return;
    this.lastFailureAt = now;
    log.error(`[${this.id}] media handling failed`, error);
    this.raise('Error', { description: `Media handling failed: ${error instanceof Error ? error.message : String(error)}`, errorCode: 40003, type: 'UNEXPECTED_ERROR' });
  }

  /** What this element does with media from its sources. */
  protected abstract acceptRtp(kind: MediaKind, packet: Buffer): void;

  /** Asks every video source of this element for a keyframe. */
  requestKeyframeUpstream(): void {
    for (const c of this.sourceConnections) if (c.type === 'VIDEO') c.source.onKeyframeRequested();
  }

  /** A sink wants a keyframe from this element; by default pass the request upstream. */
  protected onKeyframeRequested(): void {
    this.requestKeyframeUpstream();
  }

  /** Called once a second by the pipeline. */
  tick(): void {
    this.flow.tick();
  }

  protected override dispose(): void {
    for (const c of [...this.sourceConnections]) c.source.disconnect(this);
    for (const c of [...this.sinkConnections]) this.disconnect(c.sink);
  }

  private rebuildSinks(): void {
    for (const kind of mediaKinds) {
      this.sinksByKind[kind] = this.sinkConnections.filter((c) => kindOf(c.type) === kind).map((c) => c.sink);
    }
  }

  private defineElementOperations(): void {
    const type = (p: OperationParams, key = 'mediaType') => p[key] as MediaType | undefined;
    const text = (p: OperationParams, key: string) => p[key] as string | undefined;
    this.defineOperation('connect', (p) =>
      this.connect(p['sink'] as MediaElement, type(p), text(p, 'sourceMediaDescription'), text(p, 'sinkMediaDescription')),
    );
    this.defineOperation('disconnect', (p) =>
      this.disconnect(p['sink'] as MediaElement, type(p), text(p, 'sourceMediaDescription'), text(p, 'sinkMediaDescription')),
    );
    this.defineOperation('getSinkConnections', (p) => this.getSinkConnections(type(p), text(p, 'description')));
    this.defineOperation('getSourceConnections', (p) => this.getSourceConnections(type(p), text(p, 'description')));
    this.defineOperation('isMediaFlowingIn', (p) => this.isFlowing('in', type(p)));
    this.defineOperation('isMediaFlowingOut', (p) => this.isFlowing('out', type(p)));
    // This server forwards media as it comes: it never transcodes.
    this.defineOperation('isMediaTranscoding', () => false);
    this.defineOperation('getStats', (p) => this.stats(type(p)));
    let encoderBitrate = 0;
    let minEncoderBitrate = 0;
    let maxEncoderBitrate = 0;
    this.defineProperty('encoderBitrate', () => encoderBitrate, (v) => (encoderBitrate = v as number));
    this.defineProperty('minEncoderBitrate', () => minEncoderBitrate, (v) => (minEncoderBitrate = v as number));
    this.defineProperty('maxEncoderBitrate', () => maxEncoderBitrate, (v) => (maxEncoderBitrate = v as number));
  }

  private isFlowing(direction: 'in' | 'out', type: MediaType | undefined): boolean {
    const kind = type === undefined ? undefined : kindOf(type);
    return kind !== undefined && this.flow[direction][kind].flowing;
  }

  /** Kurento-shaped stats: one element entry plus per-kind RTP counters. */
  protected stats(type: MediaType | undefined): Record<string, Record<string, unknown>> {
    const now = Date.now();
    const out: Record<string, Record<string, unknown>> = {};
    out[`${this.id}_element`] = { __module__: 'kurento', __type__: 'ElementStats', id: `${this.id}_element`, type: 'element', timestampMillis: now, inputLatency: [] };
    for (const kind of mediaKinds) {
      if (type !== undefined && kindOf(type) !== kind) continue;
      const inbound = this.flow.in[kind];
      const outbound = this.flow.out[kind];
      const idIn = `${this.id}_inbound_${kind}`;
      const idOut = `${this.id}_outbound_${kind}`;
      out[idIn] = { __module__: 'kurento', __type__: 'RTCInboundRTPStreamStats', id: idIn, type: 'inboundrtp', timestampMillis: now, packetsReceived: inbound.packets, bytesReceived: inbound.bytes, mediaType: mediaTypeOf(kind) };
      out[idOut] = { __module__: 'kurento', __type__: 'RTCOutboundRTPStreamStats', id: idOut, type: 'outboundrtp', timestampMillis: now, packetsSent: outbound.packets, bytesSent: outbound.bytes, mediaType: mediaTypeOf(kind) };
    }
    return out;
  }
}
