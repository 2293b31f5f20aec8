/**
 * One WebRTC transport on werift: ICE, DTLS-SRTP, RTCP. This is the only module that knows
 * werift's peer connection; it turns it into typed callbacks for the endpoint, applies the
 * workarounds for werift 0.24's known bugs (shared/WEBRTC-STACK.md, section 4), and runs our
 * own transport-cc feedback. Why werift at all is in docs/architecture.md.
 */
import { offeredAddresses } from '../config/mediaAddresses.js';
import { performance } from 'node:perf_hooks';
import { RTCPeerConnection, RtpPacket, type RTCDtlsTransport, type RtcpPacket, type RTCRtpCodecParameters, type RTCRtpTransceiver } from 'werift';
import { parseFmtp, isMediaCodec } from '../rtp/codecs.js';
import type { SendRoute } from '../rtp/OutboundStream.js';
import { NativeSrtp } from '../rtp/NativeSrtp.js';
import type { RtpFastPath } from '../rtp/RtpFastPath.js';
import { LaneScope, type LaneRoute, type LaneSink } from '../rtp/lanes.js';
import type { ClockMapping, MediaKind, RtpCodec } from '../types/media.js';
import { RtcpType } from '../rtp/rtcpTypes.js';
import { serializePli } from '../rtp/rtcpReader.js';
import { TWCC_URI, TwccFeedback } from '../rtp/TwccFeedback.js';
import type { DataMessage } from '../types/data.js';
import { DataChannels, MAX_MESSAGE_SIZE, type DataChannelHandlers, type DataChannelInfo, type DataChannelOptions, type DataDropCounters } from './dataChannels.js';
import { withoutDataSections, type DataSectionsRejected } from './dataSections.js';
import { reuseParsedCertificate } from './dtlsCertificate.js';
import { transportInfo, type TransportInfo } from './transportStats.js';
import { startFastPath, WireCounters } from './fastPathBinding.js';
import { selectValidPairWithoutNomination, type NominationCounters } from './iceNomination.js';
import { guardIceSources, type GuardCounters, type MediaTap } from './iceSourceGuard.js';
import { useNativeEcdh } from './nativeEcdh.js';
import { useNativeX25519 } from './nativeX25519.js';
import { peerConfig, type IceOptions } from './peerConfig.js';
import { DATA_CHANNEL_RECEIVE_BATCH, gatherOnNativeSockets, MEDIA_RECEIVE_BATCH, nativeMediaPath } from './nativeSockets.js';
import { handshakeNatively, nativeDtlsWanted } from './nativeDtls.js';
import { connectWithoutTrailingSleep, deriveSrtpOnFirstUse, endDtlsRetransmissions, failAsymmetricChecks, gatherOnly, startDtlsAtOnce, withoutDefaultStun } from './weriftPatches.js';

/** How often transport-cc feedback is sent: libwebrtc's receive side defaults to 100 ms too. */
const TWCC_INTERVAL_MS = 100;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
/** How often the fast path sends its RTCP sender/receiver reports. */
const REPORT_INTERVAL_MS = 1000;

/** A candidate as Kurento's IceCandidate carries it. */
export interface CandidateInit {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

/** werift's ICE connection states. */
export type IceState = 'new' | 'checking' | 'connected' | 'completed' | 'failed' | 'disconnected' | 'closed';
/** werift's peer connection states. */
export type PeerState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
/** werift's DTLS transport states. */
export type DtlsState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';
/** Media directions an endpoint may negotiate. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly';

/** What the transport reports to its owner. */
export interface PeerHandlers {
  /** Hot path: a plain RTP packet from the remote peer (valid only during the call). */
  rtp(kind: MediaKind, packet: Buffer): void;
  /** The remote peer asks for a keyframe (PLI or FIR). */
  keyframeRequest(): void;
  /** A stream we send waits for a keyframe: its source should send one. */
  keyframeNeeded(): void;
  /** A sender report of a stream the peer sends: its RTP clock on the peer's wall clock. */
  senderReport(kind: MediaKind, clock: ClockMapping): void;
  candidate(candidate: CandidateInit): void;
  gatheringDone(): void;
  iceState(state: IceState): void;
  /** The selected pair changed after ICE connected (a late nomination replaced it). */
  selectedPairChanged(): void;
  peerState(state: PeerState): void;
  /** The DTLS transport changed state. */
  dtlsState(state: DtlsState): void;
  /** A handler threw: reported here instead of unwinding into the WebRTC stack. */
  failure(error: unknown): void;
  /** Where a forwarding lane may take the peer's stream of `kind` (SSRC, payload type) now, if anywhere. */
  laneRoute?(kind: MediaKind, ssrc: number, pt: number): LaneRoute | undefined;
}

/** The RTP path of a transport: ours from DTLS connected on, or werift's. */
export type MediaPathStats =
  | { path: 'werift' }
  | { path: 'fast'; native: boolean; profile: string; received: number; dropped: number; sent: number; retransmitted: number; laned: number };

/** What one m-line negotiated, from our side. */
export interface NegotiatedMedia {
  /** The media codecs of the m-line (RTX, RED, FEC left out), in its payload-type numbering. */
  codecs: RtpCodec[];
  /** Whether we send this kind to the peer, and whether the peer sends it to us. */
  sends: boolean;
  receives: boolean;
}

/** Puts an m-line's codecs in the order an answer or offer should list them. */
export type CodecOrder = (kind: MediaKind, codecs: readonly RtpCodec[]) => readonly RtpCodec[];

/** Candidate pair in use, as SDP candidate strings. */
export interface SelectedPair {
  local: string;
  remote: string;
}

export class PeerSession {
  private readonly pc: RTCPeerConnection;
  /** The first transceiver of each kind: the one media is routed through. */
  private readonly transceivers: Partial<Record<MediaKind, RTCRtpTransceiver>> = {};
  /** SSRC of the remote video stream, once known (keyframe requests go to it). */
  private remoteVideoSsrc: number | undefined;
  private remoteAnySsrc = 0;
  private readonly twcc: TwccFeedback;
  private readonly twccTimer: NodeJS.Timeout;
  private closed = false;
  /** Datagrams from sources that never passed ICE, dropped. */
  readonly guard: GuardCounters = { droppedDatagrams: 0 };
  /** Pairs selected without the peer's nomination (iceNomination.ts). */
  readonly nomination: NominationCounters = { selectedWithoutNomination: 0, replacedByNomination: 0 };
  /** Where the socket guard hands RTP once the fast path runs. */
  private readonly tap: MediaTap;
  /**
   * The peer connection is disconnected (consent lost), failed or closed: nothing is sent. The
   * fast path sends from the moment DTLS is up, not from werift's connectionState 'connected',
   * which under load comes tens of ms later (its ICE state machine lags the DTLS handshake):
   * measured in `npm run bench`, the first echo waited 40–50 ms on it at N = 10–50.
   */
  private transportLost = false;
  /** Our own RTP path, from DTLS connected on (when enabled). */
  private fastPath: RtpFastPath | undefined;
  /** A keyframe was asked for before the DTLS keys existed: asked for as soon as they do. */
  private keyframeWanted = false;
  private reportTimer: NodeJS.Timeout | undefined;
  /** Whether the DTLS transport's states are being reported. */
  private dtlsWatched = false;
  /** How forwarded packets map onto each stream we send (set by the graph, applied to the fast path). */
  private readonly routes: Partial<Record<MediaKind, SendRoute>> = {};
  /** Our RtpCodec view of each werift codec, so a codec keeps one identity. */
  private readonly codecViews = new WeakMap<RTCRtpCodecParameters, RtpCodec>();
  /** The data channels, when the endpoint uses them; without, offered data sections are rejected. */
  private readonly data: DataChannels | undefined;
  /** The data sections taken out of the offer (no data channels): werift never sees them. */
  private rejectedData: DataSectionsRejected | undefined;
  /** Bytes and packets the fast path moved without werift's ICE counting them (transport stats). */
  readonly fastPathWire = new WireCounters();

  constructor(
    private readonly ice: IceOptions,
    private readonly direction: Direction,
    private readonly handlers: PeerHandlers,
    /** Whether RTP takes our fast path instead of werift's packet objects. */
    private readonly useFastPath = true,
    /** Where data-channel events go; undefined: no data channels (offered ones are rejected). */
    dataHandlers?: DataChannelHandlers,
    /** The forwarding lanes a change of this transport stops (its endpoint's pipeline's). */
    private readonly lanes: LaneScope = LaneScope.thread,
  ) {
    this.tap = { rtp: undefined, holdEarly: useFastPath, early: [] };
    useNativeEcdh();
    useNativeX25519();
    reuseParsedCertificate();
    // Messages up to 256 KiB, as Chromium announces (werift's default is 64 KiB).
    this.pc = new RTCPeerConnection({ ...peerConfig(ice), maxMessageSize: MAX_MESSAGE_SIZE });
    this.data = dataHandlers && new DataChannels(this.pc, dataHandlers);
    this.twcc = new TwccFeedback(
      (packet) => this.sendRawRtcp(packet),
      () => this.transceivers.video?.sender.ssrc ?? this.transceivers.audio?.sender.ssrc ?? 1,
      () => this.remoteAnySsrc,
    );
    this.twccTimer = setInterval(() => this.twcc.flush(), TWCC_INTERVAL_MS);
    this.twccTimer.unref();
    this.pc.onRemoteTransceiverAdded.subscribe((t) => this.adopt(t));
    this.pc.onIceCandidate.subscribe((c) => {
      if (c === undefined) return;
      const json = c.toJSON();
      const index = json.sdpMLineIndex ?? 0;
      this.handlers.candidate({ candidate: json.candidate, sdpMid: json.sdpMid ?? '0', sdpMLineIndex: this.rejectedData?.clientIndex(index) ?? index });
    });
    this.pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && this.handlers.gatheringDone());
    this.pc.iceConnectionStateChange.subscribe((s) => {
      this.lanes.invalidate();
      this.handlers.iceState(s);
    });
    this.pc.connectionStateChange.subscribe((s) => {
      this.lanes.invalidate();
      this.transportLost = s === 'disconnected' || s === 'failed' || s === 'closed';
      this.handlers.peerState(s);
    });
  }

  /**
   * Applies a remote offer and returns our answer, its codecs listed in `order`'s order. Without
   * data channels, the offer's data sections are answered rejected and never reach werift.
   */
  async processOffer(sdp: string, order?: CodecOrder): Promise<string> {
    const rejected = this.data ? undefined : withoutDataSections(sdp);
    await this.pc.setRemoteDescription({ type: 'offer', sdp: rejected?.offer ?? sdp });
    this.orderCodecs(order);
    const answer = await this.pc.createAnswer();
    await this.setLocal(answer);
    await this.closeWhatOpenedAfterClose();
    this.rejectedData = rejected;
    return this.localSdp();
  }

  /** Creates an offer with the given media (and a data section, when the endpoint uses data channels). */
  async generateOffer(kinds: readonly MediaKind[], order?: CodecOrder): Promise<string> {
    for (const kind of kinds) this.adopt(this.pc.addTransceiver(kind, { direction: this.direction }));
    if (this.data) this.withDataSection();
    this.orderCodecs(order);
    const offer = await this.pc.createOffer();
    await this.setLocal(offer);
    await this.closeWhatOpenedAfterClose();
    return this.localSdp();
  }

  /** What the m-line of `kind` negotiated, once there is a remote description. */
  negotiated(kind: MediaKind): NegotiatedMedia | undefined {
    const transceiver = this.transceivers[kind];
    const direction = transceiver?.currentDirection;
    if (!transceiver || direction === undefined || direction === 'stopped') return undefined;
    return {
      codecs: transceiver.codecs.filter(isMediaCodec).map((c) => this.view(c)),
      sends: this.direction !== 'recvonly' && (direction === 'sendrecv' || direction === 'sendonly'),
      receives: direction === 'sendrecv' || direction === 'recvonly',
    };
  }

  /** Sets how forwarded packets map onto our stream of `kind` (undefined: none are sent). */
  route(kind: MediaKind, route: SendRoute | undefined): void {
    if (route) this.routes[kind] = route;
    else delete this.routes[kind];
    this.fastPath?.route(kind, route);
  }

  /** Applies the remote answer to our offer. */
  async processAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** Adds a remote ICE candidate. */
  async addIceCandidate(candidate: CandidateInit): Promise<void> {
    await this.pc.addIceCandidate(this.rejectedData?.stackCandidate(candidate) ?? candidate);
  }

  /** The local description negotiated so far, as the client sees it (rejected data sections put back). */
  localSdp(): string {
    const sdp = this.pc.localDescription?.sdp ?? '';
    return this.rejectedData ? this.rejectedData.answer(sdp) : sdp;
  }

  /** How a forwarding lane sends packets of `ssrc` (source payload type `pt`) as our stream of `kind`, when `send` would now. */
  laneSink(kind: MediaKind, ssrc: number, pt: number): LaneSink | undefined {
    if (this.direction === 'recvonly' || this.transportLost || this.closed) return undefined;
    return this.fastPath?.laneSink(kind, ssrc, pt);
  }

  /** Hot path: sends a plain RTP packet to the remote peer; returns false when it cannot be sent. */
  send(kind: MediaKind, packet: Buffer): boolean {
    if (this.direction === 'recvonly') return false;
    if (this.fastPath) return !this.transportLost && this.fastPath.send(kind, packet);
    const transceiver = this.transceivers[kind];
    const pt = this.routes[kind]?.payloadMap[(packet[1] ?? 0) & 0x7f] ?? -1;
    if (!transceiver || this.pc.connectionState !== 'connected' || pt < 0) return false;
    const rtp = RtpPacket.deSerialize(packet);
    // werift keeps foreign header-extension values for ids it also writes (pitfall 5).
    rtp.header.extensions = [];
    // werift labels every packet with its sender's one codec: make it the codec this packet is.
    const codec = transceiver.codecs.find((c) => c.payloadType === pt);
    if (codec && transceiver.sender.codec !== codec) transceiver.sender.codec = codec;
    transceiver.sender.sendRtp(rtp).catch(() => undefined);
    return true;
  }

  /** Asks the remote sender for a video keyframe. */
  requestKeyframe(): void {
    const ssrc = this.remoteVideoSsrc;
    const receiver = this.transceivers.video?.receiver;
    if (ssrc === undefined || !receiver || this.closed) return;
    const fastPath = this.fastPath;
    if (fastPath) {
      // On our RTCP path: werift's would derive its own SRTCP context for this one packet.
      if (!receiver.pliEnabled) return;
      fastPath.session.keyframeRequested();
      fastPath.sendRtcp(serializePli(receiver.rtcpSsrc, ssrc));
    } else if (this.useFastPath && this.pc.dtlsTransports[0]?.state !== 'connected') {
      // No keys yet (the SDP names the SSRC before DTLS is up): asked for once they exist.
      this.keyframeWanted = true;
    } else {
      receiver.sendRtcpPLI(ssrc).catch(() => undefined);
    }
  }

  /** The nominated ICE pair, once there is one. */
  selectedPair(): SelectedPair | undefined {
    const pair = this.pc.iceTransports[0]?.connection.nominated;
    return pair ? { local: pair.localCandidate.toSdp(), remote: pair.remoteCandidate.toSdp() } : undefined;
  }

  /** Which RTP path runs, with its counters (for tests and diagnostics). */
  mediaPath(): MediaPathStats {
    const fast = this.fastPath;
    return fast ? { path: 'fast', native: fast.srtpIn instanceof NativeSrtp, profile: fast.srtpIn.profile, ...fast.counters() } : { path: 'werift' };
  }

  /** RTP statistics of the streams of `kind` each way (fast path only; empty on werift's path). */
  rtpStats(kind: MediaKind): ReturnType<RtpFastPath['streamStats']> {
    return this.fastPath?.streamStats(kind) ?? {};
  }

  /** The bundled transport's ICE candidates, pairs and byte counts, once it exists. */
  transportStats(): TransportInfo | undefined {
    const dtls = this.pc.dtlsTransports[0];
    return dtls && transportInfo(dtls, this.fastPathWire);
  }

  /** The bundled DTLS transport's state and id. */
  dtlsConnection(): { id: string; state: DtlsState } | undefined {
    const dtls = this.pc.dtlsTransports[0];
    return dtls && { id: dtls.id, state: dtls.state };
  }

  // ---- data channels ----

  /** Whether this transport negotiated data channels (an SCTP association runs or will). */
  get hasDataChannels(): boolean {
    return this.data !== undefined && this.pc.sctpTransport !== undefined;
  }

  /** Creates a data channel toward the peer. */
  createDataChannel(options: DataChannelOptions): void {
    if (!this.data) throw new Error('this transport has no data channels');
    this.data.create(options);
  }

  /** Closes a data channel (see DataChannels.close). */
  closeDataChannel(id: number): 'closing' | 'gone' | 'unknown' {
    return this.data?.close(id) ?? 'unknown';
  }

  /** Sends a message from the graph on a data channel; false when it was dropped (counted). */
  sendData(message: DataMessage): boolean {
    return this.data?.send(message) ?? false;
  }

  /** The open data channels and the channel counters, for getStats. */
  dataStats(): { channels: DataChannelInfo[]; opened: number; closed: number; dropped: DataDropCounters; buffered: number } | undefined {
    const data = this.data;
    return data && { channels: data.stats(), opened: data.opened, closed: data.closed, dropped: { ...data.dropped }, buffered: data.buffered() };
  }

  /** Makes werift's offer carry an m=application section (it adds one only for an SCTP transport). */
  private withDataSection(): void {
    if (this.pc.sctpTransport) return;
    (this.pc as unknown as { createSctpTransport(): unknown }).createSctpTransport();
  }

  /**
   * How many sockets gathering will open at most, before it runs (the socket budget is taken
   * first): one per address offered (the chosen ones, else each external IPv4 address, as
   * werift gathers) and one for a TURN allocation. `socketCount` tells the truth afterwards.
   */
  static expectedSockets(ice: IceOptions): number {
    const addresses = offeredAddresses(ice.networkInterfaces).length;
    const relay = ice.iceServers.some((s) => s.urls.startsWith('turn:')) ? 1 : 0;
    return Math.max(addresses, 1) + relay;
  }

  /** The sockets this transport holds now (werift keeps them in a private list per ICE connection). */
  socketCount(): number {
    let count = 0;
    for (const transport of this.pc.iceTransports) count += (transport.connection as unknown as { protocols?: readonly unknown[] }).protocols?.length ?? 0;
    return count;
  }

  /** Current peer state. */
  get state(): PeerState {
    return this.pc.connectionState;
  }

  /** Closes the transport and frees its sockets and timers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tap.rtp = undefined;
    this.tap.holdEarly = false;
    this.tap.early.length = 0;
    clearInterval(this.twccTimer);
    clearInterval(this.reportTimer);
    await this.pc.close().catch(() => undefined);
    for (const transport of this.pc.dtlsTransports) endDtlsRetransmissions(transport);
    // After the sockets: nothing can reach the SRTP sessions now.
    this.fastPath?.close();
  }

  /**
   * A close that came while the local description was being set (the endpoint released
   * mid-negotiation) found sockets not yet gathered; werift's close has run and will not run
   * again, so the ICE connections are closed here once more, with what they opened since.
   */
  private async closeWhatOpenedAfterClose(): Promise<void> {
    if (!this.closed) return;
    await Promise.allSettled(this.pc.iceTransports.map((t) => t.connection.close()));
    throw new Error('the transport was closed during the negotiation');
  }

  /** Sets the local description, which opens the sockets: guard them first. */
  private async setLocal(description: Parameters<RTCPeerConnection['setLocalDescription']>[0]): Promise<void> {
    const hasStun = this.ice.iceServers.some((s) => s.urls.startsWith('stun:'));
    for (const transport of this.pc.iceTransports) {
      guardIceSources(transport.connection, this.guard, this.tap);
      selectValidPairWithoutNomination(transport.connection, this.nomination, {
        onReplaced: () => {
          this.lanes.invalidate(); // lanes send to the pair they were armed with
          this.handlers.selectedPairChanged();
        },
      });
      if (!hasStun) withoutDefaultStun(transport.connection);
      if (this.ice.networkInterfaces.length > 0) gatherOnly(transport.connection, this.ice.networkInterfaces);
      connectWithoutTrailingSleep(transport.connection);
      failAsymmetricChecks(transport.connection);
      gatherOnNativeSockets(transport.connection, this.ice, this.data ? DATA_CHANNEL_RECEIVE_BATCH : MEDIA_RECEIVE_BATCH);
    }
    for (const transport of this.pc.dtlsTransports) {
      if (nativeMediaPath() && nativeDtlsWanted) handshakeNatively(transport);
      else startDtlsAtOnce(transport);
      deriveSrtpOnFirstUse(transport);
      this.listenToSenderReports(transport);
    }
    this.listenToDtlsState();
    await this.pc.setLocalDescription(description);
    if (!this.useFastPath) return;
    for (const dtls of this.pc.dtlsTransports) {
      if (dtls.state === 'connected') this.onDtlsConnected(dtls);
      else dtls.onStateChange.subscribe((state) => state === 'connected' && this.onDtlsConnected(dtls));
    }
  }

  /** SRTP keys exist now: RTP moves to our fast path (werift keeps ICE, DTLS and RTCP). */
  private onDtlsConnected(dtls: RTCDtlsTransport): void {
    if (this.fastPath || this.closed || dtls !== this.pc.dtlsTransports[0]) return;
    const fastPath = startFastPath(dtls, this.transceivers, this.direction, {
      rtp: (kind, packet) => this.handlers.rtp(kind, packet),
      rtcp: (packet) => this.sendRawRtcp(packet),
      keyframeRequest: () => this.handlers.keyframeRequest(),
      keyframeNeeded: () => this.handlers.keyframeNeeded(),
      senderReport: (kind, clock) => this.handlers.senderReport(kind, clock),
      failure: (e) => this.handlers.failure(e),
      laneRoute: (kind, ssrc, pt) => (this.transportLost || this.closed ? undefined : this.handlers.laneRoute?.(kind, ssrc, pt)),
    }, this.routes, this.twcc, this.lanes, this.fastPathWire);
    const keyframeWanted = this.keyframeWanted;
    this.keyframeWanted = false;
    if (!fastPath) {
      // werift's own path carries media: it gets what was held.
      this.tap.holdEarly = false;
      this.replayEarlyRtp();
      if (keyframeWanted) this.requestKeyframe();
      return;
    }
    this.fastPath = fastPath;
    if (keyframeWanted) this.requestKeyframe();
    const wire = this.fastPathWire;
    this.tap.rtp = (data) => {
      if (!fastPath.receive(data)) return false;
      wire.packetsReceived++;
      wire.bytesReceived += data.length;
      return true;
    };
    this.replayEarlyRtp();
    this.reportTimer = setInterval(() => this.sendReports(), REPORT_INTERVAL_MS);
    this.reportTimer.unref();
  }

  /** RTP held before the keys, in arrival order and ahead of anything newer: to the fast path if it runs, else (or when it declines) to werift. */
  private replayEarlyRtp(): void {
    for (const { data, addr, werift } of this.tap.early.splice(0)) if (!this.tap.rtp?.(data)) werift(data, addr);
  }

  /** Reports the bundled DTLS transport's states, from NEW on (once, however often the local description is set). */
  private listenToDtlsState(): void {
    const dtls = this.pc.dtlsTransports[0];
    if (!dtls || this.dtlsWatched) return;
    this.dtlsWatched = true;
    this.handlers.dtlsState(dtls.state);
    dtls.onStateChange.subscribe((state) => this.handlers.dtlsState(state));
  }

  /** Puts each m-line's codecs in `order`'s order (werift lists them so in its SDP). */
  private orderCodecs(order: CodecOrder | undefined): void {
    if (!order) return;
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.kind;
      if (kind !== 'audio' && kind !== 'video') continue;
      const byView = new Map(transceiver.codecs.map((c) => [this.view(c), c] as const));
      const media = order(kind, [...byView.keys()].filter(isMediaCodec)).flatMap((v) => byView.get(v) ?? []);
      transceiver.codecs = [...media, ...transceiver.codecs.filter((c) => !media.includes(c))];
    }
  }

  /** Our view of a werift codec (one object per codec). */
  private view(codec: RTCRtpCodecParameters): RtpCodec {
    let view = this.codecViews.get(codec);
    if (!view) {
      view = { mimeType: codec.mimeType, clockRate: codec.clockRate, channels: codec.channels, parameters: parseFmtp(codec.parameters), payloadType: codec.payloadType };
      this.codecViews.set(codec, view);
    }
    return view;
  }

  /** Sender reports of the peer's streams on werift's path (the fast path reads its own): their clocks, for lip sync downstream. */
  private listenToSenderReports(dtls: RTCDtlsTransport): void {
    dtls.onRtcp.subscribe((packet) => {
      if (packet.type !== RtcpType.SR || this.fastPath) return;
      const kind = this.kindOfRemoteSsrc(packet.ssrc);
      if (!kind) return;
      const ntp = packet.senderInfo.ntpTimestamp;
      const ntpMs = (Number(ntp >> 32n) - NTP_UNIX_OFFSET_S) * 1000 + (Number(ntp & 0xffffffffn) * 1000) / 2 ** 32;
      this.handlers.senderReport(kind, { ssrc: packet.ssrc, rtpTimestamp: packet.senderInfo.rtpTimestamp, ntpMs, receivedAtMs: performance.now() });
    });
  }

  private kindOfRemoteSsrc(ssrc: number): MediaKind | undefined {
    for (const kind of ['audio', 'video'] as const) {
      if (this.transceivers[kind]?.receiver.tracks.some((t) => t.ssrc === ssrc)) return kind;
    }
    return undefined;
  }

  private sendReports(): void {
    const sender = this.transceivers.video?.sender ?? this.transceivers.audio?.sender;
    const receiver = this.transceivers.video?.receiver ?? this.transceivers.audio?.receiver;
    // werift keeps the negotiated CNAME private.
    const cname = (sender as unknown as { cname?: string } | undefined)?.cname;
    const packet = this.fastPath?.reports(receiver?.rtcpSsrc ?? 1, cname ?? 'kurento-ts');
    if (packet) this.sendRawRtcp(packet);
  }

  /** Takes a transceiver into service: direction, RTP and RTCP hooks. */
  private adopt(transceiver: RTCRtpTransceiver): void {
    const kind = transceiver.kind;
    if (kind !== 'audio' && kind !== 'video') return;
    // Remote-created transceivers start recvonly (pitfall 10).
    transceiver.setDirection(this.direction);
    // werift's own transport-cc feedback breaks Chrome's estimate (pitfall 1): ours runs instead.
    transceiver.receiver.setupTWCC = () => undefined;
    if (this.transceivers[kind]) return;
    this.transceivers[kind] = transceiver;
    transceiver.onTrack.subscribe((track) => {
      if (track.ssrc !== undefined) {
        this.remoteAnySsrc = track.ssrc;
        if (kind === 'video') {
          this.remoteVideoSsrc = track.ssrc;
          this.requestKeyframe();
        }
      }
      // werift's path: everything before the fast path starts, and after it what it leaves
      // (RTX, RED, relayed media).
      track.onReceiveRtp.subscribe((packet, extensions) => {
        const seq = extensions?.[TWCC_URI];
        if (typeof seq === 'number') this.twcc.onPacket(seq, performance.now() * 1000);
        try {
          this.handlers.rtp(kind, packet.serialize());
        } catch (e) {
          this.handlers.failure(e);
        }
      });
    });
    if (kind !== 'video') return;
    // werift's path only: once the fast path runs, our own RTCP reader hears keyframe requests.
    const onFeedback = (p: RtcpPacket) => {
      if (this.fastPath) return;
      if (p.type === RtcpType.PSFB && 'feedback' in p && (p.feedback.count === 1 || p.feedback.count === 4)) this.handlers.keyframeRequest();
    };
    // Chrome's PLI names its own send SSRC, which werift files under the receiver (pitfall 2),
    // so listen on both sides; FIR arrives on the sender.
    transceiver.receiver.onRtcp.subscribe(onFeedback);
    transceiver.sender.onRtcp.subscribe(onFeedback);
  }

  private sendRawRtcp(packet: Buffer): void {
    if (this.closed) return;
    if (this.fastPath && !this.transportLost && this.fastPath.sendRtcp(packet)) return;
    // werift's list of transports is rebuilt on each read: only when its path sends.
    const dtls = this.pc.dtlsTransports[0];
    if (!dtls || this.pc.connectionState !== 'connected') return;
    dtls.sendRtcp([{ serialize: () => packet } as unknown as RtcpPacket]).catch(() => undefined);
  }
}
