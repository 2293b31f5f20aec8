/**
 * Kurento's RtpEndpoint: a BaseRtpEndpoint whose transport is plain RTP/AVPF, or SRTP keyed by
 * SDES (the `crypto` constructor parameter), negotiated by SDP alone: no ICE, no DTLS. Cameras,
 * encoders (ffmpeg, GStreamer) and other media servers send to it; COMEDIA offers
 * (`a=direction:active`) are answered `passive` and the sender is learnt from its first packet.
 */
import os from 'node:os';
import { KurentoError, type ErrorName } from '@kurento-ts/protocol';
import type { SocketLease } from '../../limits/SocketBudget.js';
import type { SendRoute } from '../../rtp/OutboundStream.js';
import { PlainRtpSession } from '../../plainrtp/PlainRtpSession.js';
import { localKey, type SdesKey } from '../../plainrtp/sdes.js';
import { parseRemote } from '../../plainrtp/sdp.js';
import type { InboundStreamStats, OutboundStreamStats } from '../../rtp/RtpSession.js';
import { mediaTypeOf, type MediaKind } from '../../types/media.js';
import type { ConstructorArgs, Remote } from '../contract.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { BaseRtpEndpoint, type NegotiatedKind } from './BaseRtpEndpoint.js';

export class RtpEndpoint extends BaseRtpEndpoint implements Remote<'RtpEndpoint'> {
  /** The transport, made at the first negotiation. */
  private transport: PlainRtpSession | undefined;
  /** The transport's sockets, counted against the server's budget (maxUdpSockets). */
  private sockets: SocketLease | undefined;
  /** Our SDES key: SRTP when the `crypto` parameter names a suite. */
  private readonly key: SdesKey | undefined;
  /** The address our sockets bind and our SDP announces. */
  private readonly address: string;

  constructor(context: ObjectContext, pipeline: MediaPipeline, { crypto, useIpv6 }: ConstructorArgs<'RtpEndpoint'>) {
    super(context, 'RtpEndpoint', pipeline, 'terminates');
    // As in Kurento, SRTP only when a suite is named (the parameter defaults to an empty SDES).
    this.key = crypto?.crypto !== undefined ? localKey(crypto) : undefined;
    this.address = mediaAddress(context.config.networkInterfaces, useIpv6 === true);
  }

  // ---- negotiation (SdpEndpoint's transport part) ----

  protected checkRemote(sdp: string, errorType: ErrorName): void {
    parseRemote(sdp, this.context.config.maxSdpBytes, errorType);
  }

  protected answerOffer(offer: string): Promise<string> {
    const lines = parseRemote(offer, this.context.config.maxSdpBytes, 'SDP_END_POINT_PROCESS_OFFER_ERROR').filter((m) => (m.kind === 'audio' || m.kind === 'video') && m.port !== 0).length;
    return this.withSockets(lines, (transport) => transport.processOffer(offer, (kind, codecs) => this.codecOrder(kind, codecs)));
  }

  protected createOffer(kinds: readonly MediaKind[]): Promise<string> {
    return this.withSockets(kinds.length, (transport) => transport.generateOffer(kinds, (kind, codecs) => this.codecOrder(kind, codecs)));
  }

  /**
   * Runs a negotiation step on a new transport, its sockets (an RTP and an RTCP socket per media
   * line) taken from the server's budget first: 40009 when it is spent, before any is opened.
   * Then counts what the transport opened; a failed step gives them all back.
   */
  private async withSockets(lines: number, step: (transport: PlainRtpSession) => Promise<string>): Promise<string> {
    this.closeTransport();
    this.sockets = this.context.sockets.lease(2 * lines);
    const transport = this.createTransport();
    try {
      const sdp = await step(transport);
      this.sockets.resize(transport.socketCount);
      return sdp;
    } catch (e) {
      this.closeTransport();
      throw e;
    }
  }

  /** Closes the transport, if any, and gives its sockets back to the budget. */
  protected closeTransport(): void {
    this.transport?.close();
    this.transport = undefined;
    this.sockets?.release();
    this.sockets = undefined;
  }

  protected async applyAnswer(answer: string): Promise<string> {
    const transport = this.transport;
    if (!transport) throw new KurentoError('SDP_END_POINT_NOT_OFFER_GENERATED', 'No offer was generated');
    transport.processAnswer(answer);
    return transport.localSdp();
  }

  protected localSdp(): string | undefined {
    return this.transport?.localSdp() || undefined;
  }

  protected negotiatedKind(kind: MediaKind): NegotiatedKind | undefined {
    return this.transport?.negotiated(kind);
  }

  /** An RTP session is up once negotiated (there is no handshake to wait for). */
  protected override negotiated(): void {
    super.negotiated();
    this.setConnectionState('CONNECTED');
    this.raise('MediaSessionStarted');
  }

  private createTransport(): PlainRtpSession {
    const { config } = this.context;
    const transport = new PlainRtpSession(
      { address: this.address, portRange: config.minPort > 0 ? [config.minPort, config.maxPort] : undefined, crypto: this.key, maxSdpBytes: config.maxSdpBytes },
      {
        rtp: (kind, packet) => this.receiveRtp(kind, packet),
        keyframeRequest: () => this.node.requestKeyframe(),
        keyframeNeeded: () => this.node.requestKeyframe(),
        senderReport: (kind, clock) => this.senderReport(kind, clock),
        keySoftLimit: (kind) => this.raise('OnKeySoftLimit', { mediaType: mediaTypeOf(kind) }),
        failure: (e) => this.reportFailure(e),
      },
    );
    this.transport = transport;
    this.routeInputs();
    return transport;
  }

  // ---- media ----

  /** Hot path: media from a connected source leaves toward the RTP peer. */
  protected sendRtp(kind: MediaKind, packet: Buffer): boolean {
    return this.transport?.send(kind, packet) ?? false;
  }

  protected routeOutbound(kind: MediaKind, route: SendRoute | undefined): void {
    this.transport?.route(kind, route);
  }

  protected sendKeyframeRequest(): void {
    this.transport?.requestKeyframe();
  }

  /** Datagrams the transport refused (from strangers, failing SRTP), for diagnostics and tests. */
  refusedDatagrams(): { foreign: number; refused: number } {
    return { ...(this.transport?.counters ?? { foreign: 0, refused: 0 }) };
  }

  protected rtpStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats } {
    return this.transport?.rtpStats(kind) ?? {};
  }

  protected override dispose(): void {
    super.dispose();
    this.closeTransport();
  }
}

/**
 * The address an RtpEndpoint binds and announces: the first configured network interface of the
 * family, else the machine's first external address, else loopback.
 */
function mediaAddress(configured: readonly string[], ipv6: boolean): string {
  const ofFamily = (a: string) => a.includes(':') === ipv6;
  const chosen = configured.find(ofFamily);
  if (chosen) return chosen;
  if (configured.length > 0) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `useIpv6 is ${ipv6}, but the media server offers only ${configured.join(', ')} (--network-interfaces)`);
  const external = Object.values(os.networkInterfaces()).flat().find((i) => i && !i.internal && (i.family === 'IPv6') === ipv6);
  return external?.address ?? (ipv6 ? '::1' : '127.0.0.1');
}
