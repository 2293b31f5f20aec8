/**
 * Kurento's WebRtcEndpoint: SDP negotiation, trickle ICE with Kurento's events, and the bridge
 * between the WebRTC transport (PeerSession) and the pipeline's graph. As in Kurento,
 * candidates are announced only after `gatherCandidates`; the ones found before are held.
 */
import { KurentoError, type JsonObject } from '@kurento-ts/protocol';
import type { MediaKind } from '../../types/media.js';
import { rtpPayloadLength } from '../../rtp/rtpHeader.js';
import { SerialQueue } from '../../support/SerialQueue.js';
import { createLogger } from '../../support/logger.js';
import { PeerSession, type CandidateInit, type Direction, type IceState, type MediaPathStats, type PeerState } from '../../webrtc/PeerSession.js';
import { checkRemoteSdp } from '../../webrtc/sdp.js';
import { candidateAddress, iceServers } from '../../webrtc/iceServers.js';
import { MediaElement } from '../MediaElement.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import type { OperationParams } from '../MediaObject.js';

const log = createLogger('kms:WebRtcEndpoint');

type Negotiation = 'none' | 'offer-generated' | 'answered' | 'offer-processed';
type Binary = 'DISCONNECTED' | 'CONNECTED';

/** Kurento's IceComponentState for werift's ICE states (undefined: not reported). */
const iceComponentState: Record<IceState, string | undefined> = {
  new: undefined,
  checking: 'CONNECTING',
  connected: 'CONNECTED',
  completed: 'READY',
  failed: 'FAILED',
  disconnected: 'DISCONNECTED',
  closed: 'DISCONNECTED',
};

/** ICE component states that only move forward, in order. */
const progress = ['GATHERING', 'CONNECTING', 'CONNECTED', 'READY'];

/** Options of the WebRtcEndpoint constructor. */
export interface WebRtcEndpointOptions {
  recvonly?: boolean;
  sendonly?: boolean;
}

export class WebRtcEndpoint extends MediaElement {
  /** The WebRTC transport, created at the first negotiation so ICE settings can change before. */
  private peer: PeerSession | undefined;
  private negotiation: Negotiation = 'none';
  private readonly direction: Direction;
  private readonly queue = new SerialQueue();
  /** Whether gatherCandidates has been called. */
  private gathering = false;
  /** Whether the stack finished gathering. */
  private gatheringComplete = false;
  /** Local candidates found before gatherCandidates. */
  private readonly heldCandidates: CandidateInit[] = [];
  /** Remote candidates received before the remote description. */
  private readonly earlyRemoteCandidates: CandidateInit[] = [];
  /** The remote description as the client gave it. */
  private remoteSdp = '';
  private connectionState: Binary = 'DISCONNECTED';
  private mediaState: Binary = 'DISCONNECTED';
  private iceState: string = 'DISCONNECTED';
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
  /** Bandwidth properties (kept for the API; the browser's own estimate governs the rate). */
  private readonly bandwidth = {
    minVideoRecvBandwidth: 0, minVideoSendBandwidth: 100, maxVideoSendBandwidth: 500, maxAudioRecvBandwidth: 0, maxVideoRecvBandwidth: 0, mtu: 1200,
  };

  constructor(context: ObjectContext, pipeline: MediaPipeline, options: WebRtcEndpointOptions = {}) {
    super(context, 'WebRtcEndpoint', pipeline);
    if (options.recvonly && options.sendonly) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'recvonly and sendonly exclude each other');
    this.direction = options.recvonly ? 'recvonly' : options.sendonly ? 'sendonly' : 'sendrecv';
    const { config } = context;
    this.ice.networkInterfaces = config.networkInterfaces.join(',');
    this.ice.stunServerAddress = config.stunServerAddress;
    this.ice.stunServerPort = config.stunServerPort;
    this.ice.turnUrl = config.turnUrl;
    this.defineEndpointOperations();
  }

  // ---- negotiation ----

  private processOffer(offer: string): Promise<string> {
    return this.queue.run(async () => {
      if (this.negotiation !== 'none') throw new KurentoError('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
      checkRemoteSdp(offer, this.context.config.maxSdpBytes, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
      const peer = this.createPeer();
      let answer: string;
      try {
        answer = await peer.processOffer(offer);
      } catch (e) {
        throw new KurentoError('SDP_END_POINT_PROCESS_OFFER_ERROR', `Cannot process offer: ${(e as Error).message}`);
      }
      this.negotiation = 'offer-processed';
      this.remoteSdp = offer;
      await this.applyEarlyCandidates();
      return this.announceable(answer);
    });
  }

  private generateOffer(options: { offerToReceiveAudio?: boolean; offerToReceiveVideo?: boolean } = {}): Promise<string> {
    return this.queue.run(async () => {
      if (this.negotiation !== 'none') throw new KurentoError('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
      const kinds: MediaKind[] = [];
      if (options.offerToReceiveAudio !== false) kinds.push('audio');
      if (options.offerToReceiveVideo !== false) kinds.push('video');
      if (kinds.length === 0) throw new KurentoError('SDP_END_POINT_GENERATE_OFFER_ERROR', 'An offer needs audio or video');
      try {
        const offer = await this.createPeer().generateOffer(kinds);
        this.negotiation = 'offer-generated';
        return this.announceable(offer);
      } catch (e) {
        throw new KurentoError('SDP_END_POINT_GENERATE_OFFER_ERROR', `Cannot generate offer: ${(e as Error).message}`);
      }
    });
  }

  private processAnswer(answer: string): Promise<string> {
    return this.queue.run(async () => {
      if (this.negotiation === 'answered') throw new KurentoError('SDP_END_POINT_ANSWER_ALREADY_PROCCESED', 'Answer already processed');
      if (this.negotiation !== 'offer-generated' || !this.peer) throw new KurentoError('SDP_END_POINT_NOT_OFFER_GENERATED', 'No offer was generated');
      checkRemoteSdp(answer, this.context.config.maxSdpBytes, 'SDP_END_POINT_PROCESS_ANSWER_ERROR');
      try {
        await this.peer.processAnswer(answer);
      } catch (e) {
        throw new KurentoError('SDP_END_POINT_PROCESS_ANSWER_ERROR', `Cannot process answer: ${(e as Error).message}`);
      }
      this.negotiation = 'answered';
      this.remoteSdp = answer;
      await this.applyEarlyCandidates();
      return this.announceable(this.peer.localSdp());
    });
  }

  /**
   * As in Kurento, an SDP carries candidates only once gatherCandidates has been called;
   * before that they reach the client as IceCandidateFound events.
   */
  private announceable(sdp: string): string {
    if (!this.gathering) return withoutCandidates(sdp);
    const interfaces = this.interfaces();
    return interfaces.length === 0 ? sdp : withoutCandidates(sdp, (address) => interfaces.includes(address));
  }

  /** The addresses ICE may offer (empty: all). */
  private interfaces(): string[] {
    return this.ice.networkInterfaces.split(',').map((s) => s.trim()).filter(Boolean);
  }

  private createPeer(): PeerSession {
    const { config } = this.context;
    const interfaces = this.interfaces();
    this.peer = new PeerSession(
      {
        networkInterfaces: interfaces,
        portRange: config.minPort > 0 ? [config.minPort, config.maxPort] : undefined,
        iceServers: iceServers(this.ice.stunServerAddress, this.ice.stunServerPort, this.ice.turnUrl),
      },
      this.direction,
      {
        rtp: (kind, packet) => this.onRemoteRtp(kind, packet),
        keyframeRequest: () => this.requestKeyframeUpstream(),
        candidate: (c) => this.onLocalCandidate(c, interfaces),
        gatheringDone: () => this.onGatheringDone(),
        iceState: (s) => this.onIceState(s),
        selectedPairChanged: () => this.reportSelectedPair(),
        peerState: (s) => this.onPeerState(s),
        failure: (e) => this.reportFailure(e),
      },
      config.rtpFastPath,
    );
    return this.peer;
  }

  // ---- ICE ----

  private gatherCandidates(): void {
    if (this.gathering) return;
    this.gathering = true;
    if (this.iceState === 'DISCONNECTED') this.raiseIceState('GATHERING');
    for (const c of this.heldCandidates.splice(0)) this.raiseCandidate(c);
    if (this.gatheringComplete) this.raise('IceGatheringDone');
  }

  private addIceCandidate(candidate: CandidateInit): Promise<void> {
    if (candidate.candidate !== '' && candidateAddress(candidate.candidate) === undefined) {
      return Promise.reject(new KurentoError('ICE_ADD_CANDIDATE_ERROR', `Malformed candidate: ${candidate.candidate.slice(0, 100)}`));
    }
    return this.queue.run(async () => {
      if (!this.peer || this.negotiation === 'none' || this.negotiation === 'offer-generated') {
        if (this.earlyRemoteCandidates.length >= 100) throw new KurentoError('ICE_ADD_CANDIDATE_ERROR', 'Too many candidates before negotiation');
        this.earlyRemoteCandidates.push(candidate);
        return;
      }
      await this.applyCandidate(candidate);
    });
  }

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
    this.raise('IceCandidateFound', { candidate: { __module__: 'kurento', __type__: 'IceCandidate', candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } });
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

  private raiseIceState(state: string): void {
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
    this.raise('NewCandidatePairSelected', { candidatePair: this.candidatePair() ?? {} });
  }

  private candidatePair(): JsonObject | undefined {
    const pair = this.peer?.selectedPair();
    return pair && { __module__: 'kurento', __type__: 'IceCandidatePair', streamId: '1', componentId: 1, localCandidate: pair.local, remoteCandidate: pair.remote };
  }

  private onPeerState(state: PeerState): void {
    if (state === 'connected') {
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

  private setConnectionState(state: Binary): void {
    if (state === this.connectionState) return;
    this.raise('ConnectionStateChanged', { oldState: this.connectionState, newState: state });
    this.connectionState = state;
  }

  private setMediaState(state: Binary): void {
    if (state === this.mediaState) return;
    this.raise('MediaStateChanged', { oldState: this.mediaState, newState: state });
    this.mediaState = state;
  }

  // ---- media ----

  /** Hot path: media from the browser enters the graph. */
  private onRemoteRtp(kind: MediaKind, packet: Buffer): void {
    this.flow.count('in', kind, rtpPayloadLength(packet));
    if (this.mediaState !== 'CONNECTED') this.setMediaState('CONNECTED');
    this.forward(kind, packet);
  }

  /** Hot path: media from a connected source leaves toward the browser. */
  protected acceptRtp(kind: MediaKind, packet: Buffer): void {
    const bytes = rtpPayloadLength(packet);
    if (this.peer?.send(kind, packet)) this.flow.count('out', kind, bytes);
  }

  /** Which RTP path this endpoint's transport runs, with its counters (server-side diagnostics). */
  mediaPath(): MediaPathStats | undefined {
    return this.peer?.mediaPath();
  }

  protected override onKeyframeRequested(): void {
    this.peer?.requestKeyframe();
  }

  protected override stats(type: Parameters<MediaElement['stats']>[0]): Record<string, Record<string, unknown>> {
    const out = super.stats(type);
    const id = `${this.id}_endpoint`;
    out[id] = { __module__: 'kurento', __type__: 'EndpointStats', id, type: 'endpoint', timestampMillis: Date.now(), inputLatency: [], E2ELatency: [], connectionState: this.connectionState, mediaState: this.mediaState };
    // What the transport knows of its RTP streams, on the entries the element already has.
    for (const kind of ['audio', 'video'] as const) {
      const { inbound, outbound } = this.peer?.rtpStats(kind) ?? {};
      const entryIn = out[`${this.id}_inbound_${kind}`];
      const entryOut = out[`${this.id}_outbound_${kind}`];
      if (inbound && entryIn) Object.assign(entryIn, { ssrc: String(inbound.ssrc), packetsLost: inbound.packetsLost, jitter: inbound.jitterSeconds, nackCount: inbound.nacksSent });
      if (outbound && entryOut) Object.assign(entryOut, { ssrc: String(outbound.ssrc), nackCount: outbound.nacksReceived });
    }
    return out;
  }

  protected override dispose(): void {
    super.dispose();
    void this.peer?.close();
  }

  private defineEndpointOperations(): void {
    this.defineOperation('processOffer', (p) => this.processOffer(p['offer'] as string));
    this.defineOperation('generateOffer', (p) => this.generateOffer(p['options'] as { offerToReceiveAudio?: boolean; offerToReceiveVideo?: boolean } | undefined));
    this.defineOperation('processAnswer', (p) => this.processAnswer(p['answer'] as string));
    this.defineOperation('gatherCandidates', () => this.queue.run(() => this.gatherCandidates()));
    this.defineOperation('addIceCandidate', (p) => this.addIceCandidate(p['candidate'] as CandidateInit));
    this.defineOperation('getLocalSessionDescriptor', () => {
      const sdp = this.peer?.localSdp();
      if (!sdp) throw new KurentoError('SDP_END_POINT_NO_LOCAL_SDP_ERROR', 'No local SDP yet');
      return this.announceable(sdp);
    });
    this.defineOperation('getRemoteSessionDescriptor', () => {
      const sdp = this.remoteSdp;
      if (!sdp) throw new KurentoError('SDP_END_POINT_NO_REMOTE_SDP_ERROR', 'No remote SDP yet');
      return sdp;
    });
    this.defineOperation('requestKeyframe', () => this.peer?.requestKeyframe());
    this.defineProperty('mediaState', () => this.mediaState);
    this.defineProperty('connectionState', () => this.connectionState);
    this.defineProperty('ICECandidatePairs', () => { const pair = this.candidatePair(); return pair ? [pair] : []; });
    this.defineProperty('IceConnectionState', () => [{ __module__: 'kurento', __type__: 'IceConnection', streamId: '1', componentId: 1, state: this.iceState }]);
    for (const key of Object.keys(this.ice) as (keyof typeof this.ice)[]) {
      this.defineProperty(key, () => this.ice[key], (v) => this.setIceProperty(key, v));
    }
    for (const key of Object.keys(this.bandwidth) as (keyof typeof this.bandwidth)[]) {
      this.defineProperty(key, () => this.bandwidth[key], (v) => (this.bandwidth[key] = v as number));
    }
  }

  private setIceProperty(key: keyof WebRtcEndpoint['ice'], value: unknown): void {
    if (key === 'turnUrl' && value !== '') iceServers('', 0, value as string); // validates
    (this.ice as Record<string, unknown>)[key] = value;
  }
}

/** Removes candidate lines from an SDP, all of them or those whose address `keep` refuses. */
function withoutCandidates(sdp: string, keep: (address: string) => boolean = () => false): string {
  return sdp.replace(/^a=(candidate:.*|end-of-candidates)\r?\n/gm, (line) => {
    const address = candidateAddress(line.trim());
    return address !== undefined && keep(address) ? line : '';
  });
}

/** Reads the WebRtcEndpoint constructor options from validated params. */
export function webRtcEndpointOptions(p: OperationParams): WebRtcEndpointOptions {
  return { recvonly: p['recvonly'] === true, sendonly: p['sendonly'] === true };
}
