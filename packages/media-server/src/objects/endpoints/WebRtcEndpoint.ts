/**
 * Kurento's WebRtcEndpoint: a BaseRtpEndpoint whose transport is WebRTC (PeerSession: ICE,
 * DTLS-SRTP, SCTP data channels), with trickle ICE and Kurento's ICE and DTLS events. As in
 * Kurento, candidates are announced only after `gatherCandidates`; the ones found before are
 * held. With `useDataChannels`, messages of the peer's data channels enter the graph as DATA and
 * DATA from the graph leaves on the channel of the same label (else the first open one); without
 * it, offered data channels are rejected and no SCTP runs.
 */
import type { LaneSink } from '../../rtp/lanes.js';
import { ErrorCode, KurentoError, type EnumValue, type ErrorName, type MediaType } from '@kurento-ts/protocol';
import { flagOf } from '../../config/config.js';
import type { SendRoute } from '../../rtp/OutboundStream.js';
import type { InboundStreamStats, OutboundStreamStats } from '../../rtp/RtpSession.js';
import type { SocketLease } from '../../limits/SocketBudget.js';
import { rtpPayloadLength } from '../../rtp/rtpHeader.js';
import { createLogger } from '../../support/logger.js';
import type { DataMessage } from '../../types/data.js';
import type { MediaKind } from '../../types/media.js';
import type { DataDropCounters } from '../../webrtc/dataChannels.js';
import { PeerSession, type CandidateInit, type Direction, type DtlsState, type IceState, type MediaPathStats, type PeerState } from '../../webrtc/PeerSession.js';
import type { IceOptions } from '../../webrtc/peerConfig.js';
import { checkRemoteSdp } from '../../webrtc/sdp.js';
import { candidateAddress, iceServers } from '../../webrtc/iceServers.js';
import type { Args, ComplexServerValue, ConstructorArgs, Remote, StatsEntry } from '../contract.js';
import { dataChannelEntries, transportEntries } from './webRtcStats.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { BaseRtpEndpoint, type NegotiatedKind } from './BaseRtpEndpoint.js';

const log = createLogger('kms:WebRtcEndpoint');
type IceComponentState = EnumValue<'IceComponentState'>;

/** Kurento's IceComponentState for werift's ICE states (undefined: not reported). */
const iceComponentState: Record<IceState, IceComponentState | undefined> = {
  new: undefined,
  checking: 'CONNECTING',
  connected: 'CONNECTED',
  completed: 'READY',
  failed: 'FAILED',
  disconnected: 'DISCONNECTED',
  closed: 'DISCONNECTED',
};

type DtlsConnectionState = EnumValue<'DtlsConnectionState'>;

/** Kurento's DtlsConnectionState for werift's DTLS states. */
const dtlsConnectionState: Record<DtlsState, DtlsConnectionState> = {
  new: 'NEW',
  connecting: 'CONNECTING',
  connected: 'CONNECTED',
  closed: 'CLOSED',
  failed: 'FAILED',
};

/** SCTP's largest stream parameter: Kurento clamps larger lifetimes and retransmit counts to it. */
const MAX_USHORT = 65535;

/** ICE component states that only move forward, in order. */
const progress: readonly IceComponentState[] = ['GATHERING', 'CONNECTING', 'CONNECTED', 'READY'];

export class WebRtcEndpoint extends BaseRtpEndpoint implements Remote<'WebRtcEndpoint'> {
  /** The WebRTC transport, created at the first negotiation so ICE settings can change before. */
  private peer: PeerSession | undefined;
  private readonly direction: Direction;
  /** Whether this endpoint negotiates data channels (Kurento's useDataChannels). */
  private readonly useDataChannels: boolean;
  /** DATA from the graph that found no transport to leave on (before negotiation, or none negotiated). */
  private dataWithoutTransport = 0;
  /** Whether gatherCandidates has been called. */
  private gathering = false;
  /** Whether the stack finished gathering. */
  private gatheringComplete = false;
  /** Local candidates found before gatherCandidates. */
  private readonly heldCandidates: CandidateInit[] = [];
  /** Remote candidates received before the remote description. */
  private readonly earlyRemoteCandidates: CandidateInit[] = [];
  /** The transport's sockets, counted against the server's budget (maxUdpSockets). */
  private sockets: SocketLease | undefined;
  /** Gives the sockets back when the transport does not connect in time (negotiationTimeoutMs). */
  private negotiationTimer: NodeJS.Timeout | undefined;
  /** Why the transport was closed before it connected, once it was. */
  private expired: string | undefined;
  private iceState: IceComponentState = 'DISCONNECTED';
  private selectedPairKey = '';
  /** Settable ICE properties, Kurento's names. */
  private readonly ice = {
    networkInterfaces: '',
    stunServerAddress: '',
    stunServerPort: 3478,
    turnUrl: '',
    externalIPv4: '',
    externalIPv6: '',
    iceTcp: true,
  };

  constructor(context: ObjectContext, pipeline: MediaPipeline, { recvonly, sendonly, useDataChannels }: ConstructorArgs<'WebRtcEndpoint'>) {
    super(context, 'WebRtcEndpoint', pipeline, 'terminates');
    if (recvonly && sendonly) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'recvonly and sendonly exclude each other');
    this.direction = recvonly ? 'recvonly' : sendonly ? 'sendonly' : 'sendrecv';
    this.useDataChannels = useDataChannels;
    const { config } = context;
    this.ice.networkInterfaces = config.networkInterfaces.join(',');
    this.ice.stunServerAddress = config.stunServerAddress;
    this.ice.stunServerPort = config.stunServerPort;
    this.ice.turnUrl = config.turnUrl;
  }

  // ---- remote interface: WebRtcEndpoint ----

  gatherCandidates(): Promise<void> {
    return this.queue.run(() => {
      this.throwIfExpired();
      if (this.gathering) return;
      this.gathering = true;
      if (this.iceState === 'DISCONNECTED') this.raiseIceState('GATHERING');
      for (const c of this.heldCandidates.splice(0)) this.raiseCandidate(c);
      if (this.gatheringComplete) this.raise('IceGatheringDone');
    });
  }

  addIceCandidate({ candidate }: Args<'WebRtcEndpoint', 'addIceCandidate'>): Promise<void> {
    if (candidate.candidate !== '' && candidateAddress(candidate.candidate) === undefined) {
      return Promise.reject(new KurentoError('ICE_ADD_CANDIDATE_ERROR', `Malformed candidate: ${candidate.candidate.slice(0, 100)}`));
    }
    return this.queue.run(async () => {
      this.throwIfExpired();
      if (!this.peer || this.negotiation === 'none' || this.negotiation === 'offer-generated') {
        if (this.earlyRemoteCandidates.length >= 100) throw new KurentoError('ICE_ADD_CANDIDATE_ERROR', 'Too many candidates before negotiation');
        this.earlyRemoteCandidates.push(candidate);
        return;
      }
      await this.applyCandidate(candidate);
    });
  }

  getICECandidatePairs(): ComplexServerValue<'IceCandidatePair'>[] {
    const pair = this.candidatePair();
    return pair ? [pair] : [];
  }

  getIceConnectionState(): ComplexServerValue<'IceConnection'>[] {
    return [{ streamId: '1', componentId: 1, state: this.iceState }];
  }

  getDtlsConnectionState(): ComplexServerValue<'DtlsConnection'>[] {
    const dtls = this.peer?.dtlsConnection();
    return dtls ? [{ streamId: '1', componentId: '1', connectionId: dtls.id, state: dtlsConnectionState[dtls.state] }] : [];
  }

  /**
   * Opens a data channel toward the peer, as Kurento does: negative limits mean none, both
   * limits at once are refused, larger ones are clamped to 65535. It opens (DataChannelOpened,
   * with its id) once the SCTP association is up and the peer acknowledged it.
   */
  createDataChannel({ label, ordered, maxPacketLifeTime, maxRetransmits, protocol }: Args<'WebRtcEndpoint', 'createDataChannel'>): void {
    this.requireDataChannels();
    const lifetime = maxPacketLifeTime < 0 ? undefined : Math.min(maxPacketLifeTime, MAX_USHORT);
    const retransmits = maxRetransmits < 0 ? undefined : Math.min(maxRetransmits, MAX_USHORT);
    if (lifetime !== undefined && retransmits !== undefined) {
      throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'maxPacketLifeTime and maxRetransmits cannot both be set');
    }
    if (!this.peer?.hasDataChannels) {
      throw new KurentoError('UNEXPECTED_ERROR', 'Can not create data channel: no data channel session was negotiated with the peer yet');
    }
    this.peer.createDataChannel({ label, ordered, maxPacketLifeTime: lifetime, maxRetransmits: retransmits, protocol });
  }

  /** Closes data channel `channelId` (DataChannelClosed follows); closing one that is already closed does nothing. */
  closeDataChannel({ channelId }: Args<'WebRtcEndpoint', 'closeDataChannel'>): void {
    this.requireDataChannels();
    if ((this.peer?.closeDataChannel(channelId) ?? 'unknown') === 'unknown') {
      throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `No data channel with id ${channelId} was opened on this endpoint`);
    }
  }

  private requireDataChannels(): void {
    if (!this.useDataChannels) throw new KurentoError('MEDIA_OBJECT_OPERATION_NOT_SUPPORTED', 'Data channels are not supported: create the WebRtcEndpoint with useDataChannels');
  }

  getNetworkInterfaces(): string {
    return this.ice.networkInterfaces;
  }

  setNetworkInterfaces(value: string): void {
    this.ice.networkInterfaces = value;
  }

  getIceTcp(): boolean {
    return this.ice.iceTcp;
  }

  setIceTcp(value: boolean): void {
    this.ice.iceTcp = value;
  }

  getStunServerAddress(): string {
    return this.ice.stunServerAddress;
  }

  setStunServerAddress(value: string): void {
    this.ice.stunServerAddress = value;
  }

  getStunServerPort(): number {
    return this.ice.stunServerPort;
  }

  setStunServerPort(value: number): void {
    this.ice.stunServerPort = value;
  }

  getTurnUrl(): string {
    return this.ice.turnUrl;
  }

  setTurnUrl(value: string): void {
    if (value !== '') iceServers('', 0, value); // validates
    this.ice.turnUrl = value;
  }

  getExternalIPv4(): string {
    return this.ice.externalIPv4;
  }

  setExternalIPv4(value: string): void {
    this.ice.externalIPv4 = value;
  }

  getExternalIPv6(): string {
    return this.ice.externalIPv6;
  }

  setExternalIPv6(value: string): void {
    this.ice.externalIPv6 = value;
  }

  // ---- negotiation (SdpEndpoint's transport part) ----

  protected checkRemote(sdp: string, errorType: ErrorName): void {
    checkRemoteSdp(sdp, this.context.config.maxSdpBytes, errorType, { dataOnly: this.useDataChannels });
  }

  protected answerOffer(offer: string): Promise<string> {
    const peer = this.createPeer();
    return this.countingSockets(peer, peer.processOffer(offer, (kind, codecs) => this.codecOrder(kind, codecs)));
  }

  protected createOffer(kinds: readonly MediaKind[]): Promise<string> {
    const peer = this.createPeer();
    return this.countingSockets(peer, peer.generateOffer(kinds, (kind, codecs) => this.codecOrder(kind, codecs)));
  }

  protected async applyAnswer(answer: string): Promise<string> {
    this.throwIfExpired();
    const peer = this.peer;
    if (!peer) throw new KurentoError('SDP_END_POINT_NOT_OFFER_GENERATED', 'No offer was generated');
    await peer.processAnswer(answer);
    return peer.localSdp();
  }

  protected localSdp(): string | undefined {
    return this.peer?.localSdp() || undefined;
  }

  protected negotiatedKind(kind: MediaKind): NegotiatedKind | undefined {
    return this.peer?.negotiated(kind);
  }

  protected override afterRemoteDescription(): Promise<void> {
    return this.applyEarlyCandidates();
  }

  /**
   * As in Kurento, an SDP carries candidates only once gatherCandidates has been called;
   * before that they reach the client as IceCandidateFound events.
   */
  protected override presentLocal(sdp: string): string {
    if (!this.gathering) return withoutCandidates(sdp);
    const interfaces = this.interfaces();
    return interfaces.length === 0 ? sdp : withoutCandidates(sdp, (address) => interfaces.includes(address));
  }

  /** The addresses ICE may offer (empty: all). */
  private interfaces(): string[] {
    return this.ice.networkInterfaces.split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** Makes the transport; its sockets are taken from the server's budget first (40009 when it is spent). */
  private createPeer(): PeerSession {
    const { config } = this.context;
    const interfaces = this.interfaces();
    const ice: IceOptions = {
      networkInterfaces: interfaces,
      portRange: config.minPort > 0 ? [config.minPort, config.maxPort] : undefined,
      iceServers: iceServers(this.ice.stunServerAddress, this.ice.stunServerPort, this.ice.turnUrl),
    };
    this.closeTransport(); // what an earlier, failed negotiation left
    this.sockets = this.context.sockets.lease(PeerSession.expectedSockets(ice));
    this.expired = undefined;
    this.startNegotiationTimer();
    const peer = new PeerSession(
      ice,
      this.direction,
      {
        rtp: (kind, packet) => this.receiveRtp(kind, packet),
        keyframeRequest: () => this.node.requestKeyframe(),
        keyframeNeeded: () => this.node.requestKeyframe(),
        senderReport: (kind, clock) => this.senderReport(kind, clock),
        candidate: (c) => this.onLocalCandidate(c, interfaces),
        gatheringDone: () => this.onGatheringDone(),
        iceState: (s) => this.onIceState(s),
        selectedPairChanged: () => this.reportSelectedPair(),
        peerState: (s) => this.onPeerState(s),
        dtlsState: (s) => this.raise('DtlsConnectionStateChange', { streamId: '1', componentId: '1', connectionId: this.peer?.dtlsConnection()?.id ?? '', state: dtlsConnectionState[s] }),
        failure: (e) => this.reportFailure(e),
        laneRoute: (kind, ssrc, pt) => this.laneRoute(kind, ssrc, pt),
      },
      config.rtpFastPath,
      this.useDataChannels
        ? {
            opened: (channelId) => this.raise('DataChannelOpened', { channelId }),
            closed: (channelId) => this.raise('DataChannelClosed', { channelId }),
            message: (message) => this.forwardData(message),
            failure: (e) => this.reportFailure(e),
          }
        : undefined,
      this.pipeline.lanes,
    );
    this.peer = peer;
    // Edges evaluated before the transport existed (Kurento apps connect before they negotiate).
    this.routeInputs();
    return peer;
  }

  /** Once a negotiation step has opened the sockets, counts how many it did. */
  private async countingSockets(peer: PeerSession, step: Promise<string>): Promise<string> {
    try {
      return await step;
    } finally {
      if (peer === this.peer) this.sockets?.resize(peer.socketCount());
    }
  }

  // ---- the transport's lifetime ----

  private startNegotiationTimer(): void {
    const ms = this.context.config.negotiationTimeoutMs;
    if (ms === 0) return;
    this.negotiationTimer = setTimeout(() => this.expire(ms), ms);
    this.negotiationTimer.unref();
  }

  /** The transport did not connect in time: its sockets go back to the budget, and the client is told. */
  private expire(ms: number): void {
    const what = this.negotiation === 'offer-generated' ? 'the offer was not answered (processAnswer)' : this.negotiation === 'none' ? 'the negotiation did not complete' : 'the transport did not connect';
    this.expired = `${what} within ${ms} ms: the endpoint's media sockets were released (${flagOf('negotiationTimeoutMs')})`;
    log.info(`[${this.id}] ${this.expired}`);
    this.closeTransport();
    this.raise('Error', { description: this.expired, errorCode: ErrorCode.SDP_END_POINT_NEGOTIATION_TIMEOUT, type: 'SDP_END_POINT_NEGOTIATION_TIMEOUT' });
  }

  private throwIfExpired(): void {
    if (this.expired !== undefined) throw new KurentoError('SDP_END_POINT_NEGOTIATION_TIMEOUT', `This endpoint's transport is closed: ${this.expired}`);
  }

  /** Closes the transport, if any, and gives its sockets back to the budget. */
  protected closeTransport(): void {
    clearTimeout(this.negotiationTimer);
    this.negotiationTimer = undefined;
    this.sockets?.release();
    this.sockets = undefined;
    void this.peer?.close();
  }

  // ---- ICE ----

  private async applyEarlyCandidates(): Promise<void> {
    for (const c of this.earlyRemoteCandidates.splice(0)) await this.applyCandidate(c).catch((e: unknown) => log.debug(`[${this.id}] early candidate dropped`, e));
  }

  private async applyCandidate(candidate: CandidateInit): Promise<void> {
    if (candidate.candidate === '') return; // end of candidates
    try {
      await this.peer?.addIceCandidate(candidate);
    } catch (e) {
      throw new KurentoError('ICE_ADD_CANDIDATE_ERROR', `Cannot add candidate: ${(e as Error).message}`);
    }
  }

  private onLocalCandidate(candidate: CandidateInit, interfaces: readonly string[]): void {
    const address = candidateAddress(candidate.candidate);
    if (interfaces.length > 0 && (address === undefined || !interfaces.includes(address))) return;
    if (this.gathering) this.raiseCandidate(candidate);
    else this.heldCandidates.push(candidate);
  }

  private raiseCandidate(c: CandidateInit): void {
    this.raise('IceCandidateFound', { candidate: { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } });
  }

  private onGatheringDone(): void {
    if (this.gatheringComplete) return;
    this.gatheringComplete = true;
    if (this.gathering) this.raise('IceGatheringDone');
  }

  private onIceState(state: IceState): void {
    // werift reports 'completed' when its own gathering ends, before any check has run:
    // connected states count only once a pair is nominated (DTLS connecting also confirms them).
    if ((state === 'connected' || state === 'completed') && !this.peer?.selectedPair()) return;
    const mapped = iceComponentState[state];
    if (mapped !== undefined) this.raiseIceState(mapped);
    if (state === 'connected' || state === 'completed') this.reportSelectedPair();
  }

  private raiseIceState(state: IceComponentState): void {
    if (state === this.iceState) return;
    // werift may report 'completed' before 'connected', and re-enter 'checking' when late
    // candidates arrive; Kurento's state only moves forward until a failure or disconnection.
    const rank = progress.indexOf(state);
    if (rank >= 0 && rank <= progress.indexOf(this.iceState)) return;
    this.iceState = state;
    this.raise('IceComponentStateChanged', { streamId: 1, componentId: 1, state });
  }

  private reportSelectedPair(): void {
    const pair = this.peer?.selectedPair();
    if (!pair || `${pair.local}|${pair.remote}` === this.selectedPairKey) return;
    this.selectedPairKey = `${pair.local}|${pair.remote}`;
    const candidatePair = this.candidatePair();
    if (candidatePair) this.raise('NewCandidatePairSelected', { candidatePair });
  }

  private candidatePair(): ComplexServerValue<'IceCandidatePair'> | undefined {
    const pair = this.peer?.selectedPair();
    return pair && { streamId: '1', componentId: 1, localCandidate: pair.local, remoteCandidate: pair.remote };
  }

  private onPeerState(state: PeerState): void {
    if (state === 'connected') {
      clearTimeout(this.negotiationTimer);
      this.raiseIceState('CONNECTED');
      this.reportSelectedPair();
      this.setConnectionState('CONNECTED');
      this.raise('MediaSessionStarted');
    } else if (state === 'disconnected' || state === 'failed' || state === 'closed') {
      if (this.connectionState === 'CONNECTED') this.raise('MediaSessionTerminated');
      this.setConnectionState('DISCONNECTED');
      this.setMediaState('DISCONNECTED');
    }
  }

  // ---- media ----

  /** A lane's sink for media of `kind` toward the browser: the transport's, with this endpoint's flow counted. */
  override laneSink(kind: MediaKind, ssrc: number, pt: number): LaneSink | undefined {
    const sink = this.pipeline.latency.enabled ? undefined : this.peer?.laneSink(kind, ssrc, pt);
    if (!sink) return undefined;
    const flow = this.flow;
    return {
      target: sink.target,
      books() {
        const books = sink.books?.();
        return books && { ...books, flow: flow.cells('out', kind) };
      },
      sent(out, payloadLength, plain, headerLength, nowMs) {
        sink.sent(out, payloadLength, plain, headerLength, nowMs);
        flow.count('out', kind, payloadLength);
      },
    };
  }

  /** Hot path: media from a connected source leaves toward the browser. */
  protected sendRtp(kind: MediaKind, packet: Buffer): boolean {
    return this.peer?.send(kind, packet) ?? false;
  }

  /** DATA from the graph leaves on one of the peer's data channels (dropped and counted when none can take it). */
  override acceptData(message: DataMessage): void {
    if (this.peer?.hasDataChannels) this.peer.sendData(message);
    else this.dataWithoutTransport++;
  }

  /** Messages from the graph not sent to the peer, by reason (server-side diagnostics and tests). */
  droppedData(): DataDropCounters & { noTransport: number } {
    const dropped = this.peer?.dataStats()?.dropped ?? { full: 0, unmatched: 0, tooLarge: 0, refusedChannels: 0 };
    return { ...dropped, noTransport: this.dataWithoutTransport };
  }

  /** Bytes waiting in the data channels' send queues (server-side diagnostics and tests). */
  bufferedData(): number {
    return this.peer?.dataStats()?.buffered ?? 0;
  }

  /** The edge feeding `kind` changed: what we send follows it (payload types by codec). */
  protected routeOutbound(kind: MediaKind, route: SendRoute | undefined): void {
    this.peer?.route(kind, route);
  }

  protected sendKeyframeRequest(): void {
    this.peer?.requestKeyframe();
  }

  /** Which RTP path this endpoint's transport runs, with its counters (server-side diagnostics). */
  mediaPath(): MediaPathStats | undefined {
    return this.peer?.mediaPath();
  }

  protected rtpStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats } {
    return this.peer?.rtpStats(kind) ?? {};
  }

  protected override transportStatsId(): string {
    return this.peer?.transportStats()?.id ?? '';
  }

  /**
   * Adds what the transport knows: its transport entry, its candidates and candidate pairs, and,
   * with data channels (getStats() or getStats('DATA')), one entry per open channel and the
   * session's channel counts.
   */
  protected override stats(type: MediaType | undefined): Record<string, StatsEntry> {
    const out = super.stats(type);
    const now = Date.now();
    const transport = this.peer?.transportStats();
    if (transport) Object.assign(out, transportEntries(transport, now));
    const data = type === undefined || type === 'DATA' ? this.peer?.dataStats() : undefined;
    if (data) Object.assign(out, dataChannelEntries(this.id, data, now));
    return out;
  }

  protected override dispose(): void {
    super.dispose();
    this.closeTransport();
  }
}

/** Removes candidate lines from an SDP, all of them or those whose address `keep` refuses. */
function withoutCandidates(sdp: string, keep: (address: string) => boolean = () => false): string {
  return sdp.replace(/^a=(candidate:.*|end-of-candidates)\r?\n/gm, (line) => {
    const address = candidateAddress(line.trim());
    return address !== undefined && keep(address) ? line : '';
  });
}

