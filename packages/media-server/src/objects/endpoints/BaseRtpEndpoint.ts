/**
 * Kurento's BaseRtpEndpoint: what every RTP endpoint shares between its transport and the graph.
 * After a negotiation it publishes what the peer sends (the source pad: codecs, the one flowing,
 * and later SSRC and sender-report clock) and what it takes (the sink caps); media from the peer
 * enters the graph here, and a change of its codec re-evaluates the edges downstream. Keyframe
 * requests from every sink are coalesced before they reach the peer. Media and connection
 * states with their events. While the pipeline measures latency, media from the peer carries its
 * arrival time through the graph, and media to the peer records its input and end-to-end latency.
 */
import type { LaneRoute, LaneSink } from '../../rtp/lanes.js';
import { performance } from 'node:perf_hooks';
import type { MediaType } from '@kurento-ts/protocol';
import { negotiatedCodecs, preferredOrder } from '../../graph/edges.js';
import { KeyframeRequests } from '../../graph/KeyframeRequests.js';
import type { EdgeInput } from '../../graph/MediaNode.js';
import type { SendRoute } from '../../rtp/OutboundStream.js';
import { rtpPayloadLength } from '../../rtp/rtpHeader.js';
import { mediaKinds, type ClockMapping, type MediaKind, type RtpCodec } from '../../types/media.js';
import type { InboundStreamStats, OutboundStreamStats } from '../../rtp/RtpSession.js';
import type { ComplexServerValue, Remote, StatsEntry } from '../contract.js';
import { latencyList, statsEntry } from '../stats.js';
import { SdpEndpoint } from './SdpEndpoint.js';

/** Kurento's MediaState and ConnectionState values. */
export type Binary = 'DISCONNECTED' | 'CONNECTED';

/** What one m-line negotiated, as the endpoint's transport reports it. */
export interface NegotiatedKind {
  /** The media codecs of the m-line, in its payload-type numbering. */
  readonly codecs: readonly RtpCodec[];
  /** Whether we send this kind to the peer, and whether the peer sends it to us. */
  readonly sends: boolean;
  readonly receives: boolean;
}

export abstract class BaseRtpEndpoint extends SdpEndpoint implements Remote<'BaseRtpEndpoint'> {
  protected connectionState: Binary = 'DISCONNECTED';
  protected mediaState: Binary = 'DISCONNECTED';
  /** Bandwidth properties (kept for the API; the peer's own estimate governs the rate). */
  private readonly bandwidth = { minVideoRecvBandwidth: 0, minVideoSendBandwidth: 100, maxVideoSendBandwidth: 500, mtu: 1200 };
  /** Keyframe requests of every sink, coalesced before they reach the peer. */
  private readonly keyframes = new KeyframeRequests(() => this.sendKeyframeRequest());
  /** Payload type of the last packet received per kind, -1 before the first (a change means another codec). */
  private readonly inboundPt: Record<MediaKind, number> = { audio: -1, video: -1 };
  /**
   * Kurento's congestion-control parameters: kept and reported back. They steer Kurento's REMB
   * estimator; here the peer's own estimate, fed by our transport-cc feedback, governs the rate.
   */
  private rembParams: ComplexServerValue<'RembParams'> = {};

  // ---- remote interface: BaseRtpEndpoint ----

  requestKeyframe(): void {
    this.keyframes.request();
  }

  getMediaState(): Binary {
    return this.mediaState;
  }

  getConnectionState(): Binary {
    return this.connectionState;
  }

  getMinVideoRecvBandwidth(): number {
    return this.bandwidth.minVideoRecvBandwidth;
  }

  setMinVideoRecvBandwidth(value: number): void {
    this.bandwidth.minVideoRecvBandwidth = value;
  }

  getMinVideoSendBandwidth(): number {
    return this.bandwidth.minVideoSendBandwidth;
  }

  setMinVideoSendBandwidth(value: number): void {
    this.bandwidth.minVideoSendBandwidth = value;
  }

  getMaxVideoSendBandwidth(): number {
    return this.bandwidth.maxVideoSendBandwidth;
  }

  setMaxVideoSendBandwidth(value: number): void {
    this.bandwidth.maxVideoSendBandwidth = value;
  }

  getMtu(): number {
    return this.bandwidth.mtu;
  }

  setMtu(value: number): void {
    this.bandwidth.mtu = value;
  }

  getRembParams(): ComplexServerValue<'RembParams'> {
    return this.rembParams;
  }

  setRembParams(value: ComplexServerValue<'RembParams'>): void {
    this.rembParams = { ...this.rembParams, ...value };
  }

  // ---- the graph ----

  /** Keyframe requests of our sinks go to the peer, coalesced. */
  override keyframeRequested(): void {
    this.keyframes.request();
  }

  /** Asks the peer for a keyframe now (a PLI). */
  protected abstract sendKeyframeRequest(): void;
  /** Points the transport's outbound stream of `kind` at a route (the edge's payload map, the negotiated codecs); undefined: nothing to send. */
  protected abstract routeOutbound(kind: MediaKind, route: SendRoute | undefined): void;
  /** Hot path: sends a packet from the graph to the peer as our stream of `kind`; false when it cannot be sent. */
  protected abstract sendRtp(kind: MediaKind, packet: Buffer): boolean;
  /** RTP statistics of the streams of `kind` each way, from the transport's RTP session. */
  protected abstract rtpStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats };
  /** What the m-line of `kind` negotiated, if any. */
  protected abstract negotiatedKind(kind: MediaKind): NegotiatedKind | undefined;

  /**
   * The order in which an answer or offer lists a kind's codecs: first those the source of what
   * we send can be forwarded as (no transcoding), then those every sink of what we receive takes.
   */
  protected override onInputChanged(kind: MediaKind, input: EdgeInput | undefined): void {
    this.routeInput(kind, input);
  }

  /** Routes what the graph feeds each kind to the transport (a new transport starts with these). */
  protected routeInputs(): void {
    for (const kind of mediaKinds) this.routeInput(kind, this.node.input(kind));
  }

  /** What enters from a connected source leaves toward the peer while its edge forwards or transcodes. */
  private routeInput(kind: MediaKind, input: EdgeInput | undefined): void {
    const codecs = negotiatedCodecs(this.node.acceptsOf(kind));
    this.routeOutbound(kind, input?.status === 'forwarding' || input?.status === 'transcoding' ? { payloadMap: input.payloadMap, codecs } : undefined);
  }

  protected codecOrder(kind: MediaKind, codecs: readonly RtpCodec[]): RtpCodec[] {
    const sinks = this.node
      .sinks()
      .map((c) => negotiatedCodecs(c.sink.acceptsOf(kind)))
      .filter((codecs) => codecs.length > 0);
    return preferredOrder(codecs, this.node.input(kind)?.pad.active, sinks);
  }

  /** Publishes what the negotiation decided: the source pads and what this endpoint takes. */
  protected negotiated(): void {
    for (const kind of mediaKinds) {
      const media = this.negotiatedKind(kind);
      const pad = this.node.pad(kind);
      pad.codecs = media?.receives ? media.codecs : [];
      // The peer sends the first codec of the negotiated list until its packets say otherwise.
      pad.active = pad.codecs[0];
      this.inboundPt[kind] = -1;
      this.node.sourceChanged(kind);
      this.node.setAccepts(kind, media?.sends ? { codecs: media.codecs } : undefined);
    }
  }

  /** Hot path: media from the peer enters the graph (stamped with its arrival while latency is measured). */
  protected receiveRtp(kind: MediaKind, packet: Buffer): void {
    this.flow.count('in', kind, rtpPayloadLength(packet));
    if (this.mediaState !== 'CONNECTED') this.setMediaState('CONNECTED');
    if (((packet[1] ?? 0) & 0x7f) !== this.inboundPt[kind]) this.inboundCodec(kind, packet);
    const probe = this.pipeline.latency;
    if (!probe.enabled) return this.forward(kind, packet);
    probe.arrivalMs = performance.now();
    try {
      this.forward(kind, packet);
    } finally {
      probe.arrivalMs = Number.NaN;
    }
  }

  /** Hot path: media from a connected source leaves toward the peer; its latency is recorded while measured. */
  acceptRtp(kind: MediaKind, packet: Buffer): void {
    const probe = this.pipeline.latency;
    const arrival = probe.enabled ? probe.arrivalMs : Number.NaN;
    if (Number.isNaN(arrival)) {
      if (this.sendRtp(kind, packet)) this.flow.count('out', kind, rtpPayloadLength(packet));
      return;
    }
    this.latency.entered(kind, arrival, performance.now());
    if (!this.sendRtp(kind, packet)) return;
    this.latency.left(kind, arrival, performance.now());
    this.flow.count('out', kind, rtpPayloadLength(packet));
  }

  /**
   * A forwarding lane's route for the peer's stream of `kind` (its SSRC and payload type), when
   * `receiveRtp` would hand the next packet on as it did the last, to sinks that all have a lane
   * sink: connected, the codec unchanged, latency not measured, no transcoder.
   */
  protected laneRoute(kind: MediaKind, ssrc: number, pt: number): LaneRoute | undefined {
    if (this.mediaState !== 'CONNECTED' || this.pipeline.latency.enabled || this.inboundPt[kind] !== pt) return undefined;
    const owners = this.node.laneOwners(kind);
    if (!owners || owners.length === 0) return undefined;
    const sinks: LaneSink[] = [];
    for (const owner of owners) {
      const sink = owner.laneSink?.(kind, ssrc, pt);
      if (!sink) return undefined;
      sinks.push(sink);
    }
    return { sinks, received: (bytes) => this.flow.count('in', kind, bytes), flow: this.flow.cells('in', kind) };
  }

  /** A sender report of the peer's stream of `kind`: downstream elements read its clock. */
  protected senderReport(kind: MediaKind, clock: ClockMapping): void {
    this.node.pad(kind).clock = clock;
  }

  /** The first packet, or one under another payload type: the pad says which codec flows now. */
  private inboundCodec(kind: MediaKind, packet: Buffer): void {
    const pt = (packet[1] ?? 0) & 0x7f;
    this.inboundPt[kind] = pt;
    const pad = this.node.pad(kind);
    pad.ssrc = packet.readUInt32BE(8);
    const codec = pad.codecs.find((c) => c.payloadType === pt);
    if (codec && codec !== pad.active) {
      pad.active = codec;
      this.node.sourceChanged(kind);
    }
  }

  protected setConnectionState(state: Binary): void {
    if (state === this.connectionState) return;
    this.raise('ConnectionStateChanged', { oldState: this.connectionState, newState: state });
    this.connectionState = state;
  }

  protected setMediaState(state: Binary): void {
    if (state === this.mediaState) return;
    this.pipeline.lanes.invalidate();
    this.raise('MediaStateChanged', { oldState: this.mediaState, newState: state });
    this.mediaState = state;
  }

  /** What it takes from the graph leaves toward its peer: counted as flowing out. */
  protected override get consumedFlow(): 'in' | 'out' {
    return 'out';
  }

  protected override streamStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats } {
    return this.rtpStats(kind);
  }

  /** Adds Kurento's endpoint entry: the element's input latency and the end-to-end latency toward the peer. */
  protected override stats(type: MediaType | undefined): Record<string, StatsEntry> {
    const out = super.stats(type);
    const id = `${this.id}_endpoint`;
    const measured = this.pipeline.latency.enabled;
    out[id] = statsEntry('EndpointStats', {
      id,
      type: 'endpoint',
      timestampMillis: Date.now(),
      inputLatency: measured ? latencyList(this.latency, 'input') : [],
      E2ELatency: measured ? latencyList(this.latency, 'endToEnd') : [],
      connectionState: this.connectionState,
      mediaState: this.mediaState,
    });
    return out;
  }

  protected override dispose(): void {
    super.dispose();
    this.keyframes.close();
  }
}
