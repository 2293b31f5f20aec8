/**
 * Kurento's BaseRtpEndpoint: what every RTP endpoint shares between its transport and the graph.
 * After a negotiation it publishes what the peer sends (the source pad: codecs, the one flowing,
 * and later SSRC and sender-report clock) and what it takes (the sink caps); media from the peer
 * enters the graph here, and a change of its codec re-evaluates the edges downstream. Keyframe
 * requests from every sink are coalesced before they reach the peer. Media and connection
 * states with their events.
 */
import { negotiatedCodecs, preferredOrder } from '../../graph/edges.js';
import { KeyframeRequests } from '../../graph/KeyframeRequests.js';
import { rtpPayloadLength } from '../../rtp/rtpHeader.js';
import { mediaKinds, type ClockMapping, type MediaKind, type RtpCodec } from '../../types/media.js';
import type { Remote } from '../contract.js';
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

  // ---- the graph ----

  /** Keyframe requests of our sinks go to the peer, coalesced. */
  override keyframeRequested(): void {
    this.keyframes.request();
  }

  /** Asks the peer for a keyframe now (a PLI). */
  protected abstract sendKeyframeRequest(): void;
  /** What the m-line of `kind` negotiated, if any. */
  protected abstract negotiatedKind(kind: MediaKind): NegotiatedKind | undefined;

  /**
   * The order in which an answer or offer lists a kind's codecs: first those the source of what
   * we send can be forwarded as (no transcoding), then those every sink of what we receive takes.
   */
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

  /** Hot path: media from the peer enters the graph. */
  protected receiveRtp(kind: MediaKind, packet: Buffer): void {
    this.flow.count('in', kind, rtpPayloadLength(packet));
    if (this.mediaState !== 'CONNECTED') this.setMediaState('CONNECTED');
    if (((packet[1] ?? 0) & 0x7f) !== this.inboundPt[kind]) this.inboundCodec(kind, packet);
    this.forward(kind, packet);
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
    this.raise('MediaStateChanged', { oldState: this.mediaState, newState: state });
    this.mediaState = state;
  }

  protected override dispose(): void {
    super.dispose();
    this.keyframes.close();
  }
}
