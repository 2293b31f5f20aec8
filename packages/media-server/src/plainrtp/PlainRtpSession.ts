/**
 * The transport of an RtpEndpoint: plain RTP/AVPF, or SRTP keyed by SDES (RFC 4568), over UDP
 * without ICE or DTLS. One socket pair per m-line (RTP on an even port, RTCP on the next, or one
 * socket with rtcp-mux), the peer's address from its description or, with COMEDIA, from its first
 * packet; packets from anyone else are dropped and counted. The streams, their receive chain
 * (reception statistics, NACKs) and RTCP are the same RtpSession the WebRTC fast path uses.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { KurentoError } from '@kurento-ts/protocol';
import { isMediaCodec } from '../rtp/codecs.js';
import { OutboundStream, PLAIN_RTP, type RtpProtector, type SendRoute } from '../rtp/OutboundStream.js';
import { serializePli } from '../rtp/rtcpReader.js';
import { RtpSession, type InboundStreamStats, type OutboundStreamStats } from '../rtp/RtpSession.js';
import { SrtpContext } from '../rtp/SrtpContext.js';
import { nackStage } from '../rtp/stages.js';
import type { ClockMapping, MediaKind, RtpCodec } from '../types/media.js';
import { cryptoLine, remoteKey, type SdesKey } from './sdes.js';
import { parseRemote, writeLocal, type LocalMedia, type RemoteMedia, type SdpDirection } from './sdp.js';

/** What the endpoint asks of its transport. */
export interface PlainRtpOptions {
  /** Local address to bind and announce. */
  address: string;
  /** UDP port range, or undefined for any. */
  portRange: [number, number] | undefined;
  /** Our SDES key: SRTP when set, plain RTP otherwise. */
  crypto: SdesKey | undefined;
  /** Largest remote SDP accepted. */
  maxSdpBytes: number;
}

/** What the transport reports to its endpoint. */
export interface PlainRtpHandlers {
  /** Hot path: a plain RTP packet from the peer (valid only during the call). */
  rtp(kind: MediaKind, packet: Buffer): void;
  keyframeRequest(): void;
  keyframeNeeded(): void;
  senderReport(kind: MediaKind, clock: ClockMapping): void;
  /** A stream's SRTP key reached its soft usage limit. */
  keySoftLimit(kind: MediaKind): void;
  failure(error: unknown): void;
}

/** What one m-line negotiated, from our side. */
export interface NegotiatedPlain {
  codecs: RtpCodec[];
  sends: boolean;
  receives: boolean;
}

/** Counters of what the sockets refused. */
export interface PlainRtpCounters {
  /** Datagrams from an address that is not the peer's. */
  foreign: number;
  /** SRTP or SRTCP packets that failed authentication or replay checks, and datagrams that are not RTP. */
  refused: number;
}

/** The codecs an RtpEndpoint offers, in our numbering. */
const OFFERED: Readonly<Record<MediaKind, readonly RtpCodec[]>> = {
  audio: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { minptime: '10', useinbandfec: '1' }, payloadType: 96 }],
  video: [
    { mimeType: 'video/VP8', clockRate: 90000, parameters: {}, payloadType: 97 },
    { mimeType: 'video/H264', clockRate: 90000, parameters: { 'level-asymmetry-allowed': '1', 'packetization-mode': '1', 'profile-level-id': '42e01f' }, payloadType: 98 },
  ],
};
/** What we can take from a peer: these codec names (any H.264 profile and packetization mode). */
const SUPPORTED = new Set(['audio/opus', 'video/vp8', 'video/vp9', 'video/h264']);
const REPORT_INTERVAL_MS = 1000;
/** SSRCs one m-line may bring before the oldest are forgotten (a sender restarting gets a new one). */
const MAX_SSRCS_PER_LINE = 4;

/** One m-line: its sockets, the peer's address, its streams' keys. */
class MediaLine {
  rtpSocket: Socket | undefined;
  rtcpSocket: Socket | undefined;
  localPort = 0;
  remote: RemoteMedia | undefined;
  /** Where RTP and RTCP go; learnt from the first packet with COMEDIA. */
  rtpTarget: { address: string; port: number } | undefined;
  rtcpTarget: { address: string; port: number } | undefined;
  /** The remote IP packets must come from (any port until COMEDIA latches one). */
  peerAddress: string | undefined;
  latched = false;
  codecs: RtpCodec[] = [];
  direction: SdpDirection = 'sendrecv';
  rtcpMux = false;
  srtpIn: SrtpContext | undefined;
  srtpOut: SrtpContext | undefined;
  readonly ssrc = randomInt(1, 0xffffffff);
  readonly remoteSsrcs: number[] = [];
  outbound: OutboundStream | undefined;
  constructor(readonly kind: MediaKind, readonly index: number) {}
}

export class PlainRtpSession {
  readonly counters: PlainRtpCounters = { foreign: 0, refused: 0 };
  private readonly session: RtpSession;
  private readonly lines: MediaLine[] = [];
  private readonly routes: Partial<Record<MediaKind, SendRoute>> = {};
  private local = '';
  private readonly sessionId = randomInt(1, 2 ** 31);
  private version = 1;
  private readonly cname = `kurento-ts-${randomInt(1, 2 ** 31).toString(36)}`;
  private reportTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: PlainRtpOptions,
    private readonly handlers: PlainRtpHandlers,
  ) {
    this.session = new RtpSession(
      {
        rtp: (kind, packet) => handlers.rtp(kind, packet),
        rtcp: (packet) => this.sendRtcp(packet),
        keyframeRequest: () => handlers.keyframeRequest(),
        keyframeNeeded: () => handlers.keyframeNeeded(),
        senderReport: (kind, clock) => handlers.senderReport(kind, clock),
        failure: (e) => handlers.failure(e),
      },
      [nackStage],
    );
  }

  /** Applies a remote offer; returns our answer, codecs in `order`'s order. */
  async processOffer(sdp: string, order: (kind: MediaKind, codecs: readonly RtpCodec[]) => readonly RtpCodec[]): Promise<string> {
    const remote = parseRemote(sdp, this.options.maxSdpBytes, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
    for (const m of remote) {
      const kind = m.kind === 'audio' || m.kind === 'video' ? m.kind : undefined;
      const line = new MediaLine(kind ?? 'audio', m.index);
      line.remote = m;
      const codecs = kind && m.port !== 0 ? order(kind, m.codecs.filter((c) => SUPPORTED.has(c.mimeType.toLowerCase()) && isMediaCodec(c))) : [];
      const taken = this.lines.some((l) => l.kind === kind && l.codecs.length > 0);
      this.lines.push(line);
      if (!kind || codecs.length === 0 || taken) continue; // rejected: port 0 in the answer
      this.checkProtocol(m, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
      line.codecs = [...codecs];
      line.direction = reverse(m.direction);
      line.rtcpMux = m.rtcpMux;
      this.keys(line, m, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
      await this.bind(line);
      this.aim(line, m);
    }
    if (!this.lines.some((l) => l.codecs.length > 0)) throw new KurentoError('SDP_END_POINT_PROCESS_OFFER_ERROR', 'The offer has no audio or video in a codec this endpoint takes (Opus, VP8, VP9, H.264)');
    this.local = this.describe();
    this.start();
    return this.local;
  }

  /** Creates our offer with these kinds of media. */
  async generateOffer(kinds: readonly MediaKind[], order: (kind: MediaKind, codecs: readonly RtpCodec[]) => readonly RtpCodec[]): Promise<string> {
    for (const [index, kind] of kinds.entries()) {
      const line = new MediaLine(kind, index);
      line.codecs = [...order(kind, OFFERED[kind])];
      this.lines.push(line);
      await this.bind(line);
    }
    this.local = this.describe();
    return this.local;
  }

  /** Applies the remote answer to our offer. */
  processAnswer(sdp: string): void {
    const remote = parseRemote(sdp, this.options.maxSdpBytes, 'SDP_END_POINT_PROCESS_ANSWER_ERROR');
    for (const line of this.lines) {
      const m = remote[line.index];
      if (!m || m.kind !== line.kind || m.port === 0) {
        line.codecs = [];
        continue;
      }
      this.checkProtocol(m, 'SDP_END_POINT_PROCESS_ANSWER_ERROR');
      // The answer's payload types are ours (RFC 3264 §6.1): keep the codecs it kept, in its order,
      // with its format parameters (what it will send).
      line.codecs = m.codecs.filter((c) => line.codecs.some((ours) => ours.payloadType === c.payloadType && ours.mimeType.toLowerCase() === c.mimeType.toLowerCase()));
      line.direction = reverse(m.direction);
      line.rtcpMux = m.rtcpMux;
      line.remote = m;
      this.keys(line, m, 'SDP_END_POINT_PROCESS_ANSWER_ERROR');
      this.aim(line, m);
    }
    this.start();
  }

  /** Our description so far. */
  localSdp(): string {
    return this.local;
  }

  /** What the m-line of `kind` negotiated. */
  negotiated(kind: MediaKind): NegotiatedPlain | undefined {
    const line = this.lines.find((l) => l.kind === kind && l.remote && l.codecs.length > 0);
    if (!line) return undefined;
    return { codecs: line.codecs, sends: line.direction === 'sendrecv' || line.direction === 'sendonly', receives: line.direction === 'sendrecv' || line.direction === 'recvonly' };
  }

  /** Sets how forwarded packets map onto our stream of `kind`. */
  route(kind: MediaKind, route: SendRoute | undefined): void {
    if (route) this.routes[kind] = route;
    else delete this.routes[kind];
    this.session.route(kind, route);
  }

  /** Hot path: sends a plain RTP packet to the peer; false when it was not sent. */
  send(kind: MediaKind, packet: Buffer): boolean {
    return this.session.send(kind, packet, performance.now());
  }

  /** Asks the peer for a video keyframe (a PLI). */
  requestKeyframe(): void {
    const line = this.lines.find((l) => l.kind === 'video' && l.codecs.length > 0);
    const ssrc = line?.remoteSsrcs.at(-1);
    if (!line || ssrc === undefined) return;
    this.session.keyframeRequested();
    this.sendRtcp(serializePli(line.ssrc, ssrc), line);
  }

  /** Where the peer's media of `kind` comes from (what a COMEDIA sender was learnt to be). */
  peer(kind: MediaKind): { address: string; port: number } | undefined {
    return this.lines.find((l) => l.kind === kind && l.codecs.length > 0)?.rtpTarget;
  }

  /** Our RTP port for `kind`, and the address, for an application to show its sender. */
  localPort(kind: MediaKind): number | undefined {
    return this.lines.find((l) => l.kind === kind && l.localPort > 0)?.localPort;
  }

  /** RTP statistics of the streams of `kind` each way. */
  rtpStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats } {
    return this.session.streamStats(kind);
  }

  /** UDP sockets open now (two per bound media line: RTP and RTCP). */
  get socketCount(): number {
    let count = 0;
    for (const line of this.lines) count += (line.rtpSocket ? 1 : 0) + (line.rtcpSocket ? 1 : 0);
    return count;
  }

  /** Closes the sockets and timers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reportTimer);
    for (const line of this.lines) {
      for (const socket of [line.rtpSocket, line.rtcpSocket]) socket?.close();
      line.rtpSocket = line.rtcpSocket = undefined;
    }
  }

  // ---- negotiation ----

  private checkProtocol(m: RemoteMedia, errorType: 'SDP_END_POINT_PROCESS_OFFER_ERROR' | 'SDP_END_POINT_PROCESS_ANSWER_ERROR'): void {
    const secure = /^RTP\/SAVPF?$/.test(m.protocol);
    if (!secure && !/^RTP\/AVPF?$/.test(m.protocol)) throw new KurentoError(errorType, `Media section ${m.index}: ${m.protocol} is not plain RTP (RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF); WebRTC peers need a WebRtcEndpoint`);
    if (secure && !this.options.crypto) throw new KurentoError(errorType, `Media section ${m.index} asks for SRTP (${m.protocol}), but this RtpEndpoint was created without the 'crypto' parameter`);
    if (!secure && this.options.crypto) throw new KurentoError(errorType, `Media section ${m.index} is plain ${m.protocol}, but this RtpEndpoint was created with 'crypto': SRTP (RTP/SAVP or RTP/SAVPF with a=crypto) is required`);
  }

  /** SRTP contexts of a line: the peer's key decrypts what it sends, ours encrypts what we send. */
  private keys(line: MediaLine, m: RemoteMedia, errorType: 'SDP_END_POINT_PROCESS_OFFER_ERROR' | 'SDP_END_POINT_PROCESS_ANSWER_ERROR'): void {
    const ours = this.options.crypto;
    if (!ours) return;
    const theirs = remoteKey(m.crypto, ours.suite);
    if (!theirs) throw new KurentoError(errorType, `Media section ${m.index} has no a=crypto line with ${ours.suite} (offered: ${m.crypto.map((c) => c.suite).join(', ') || 'none'})`);
    const limit = () => this.handlers.keySoftLimit(line.kind);
    line.srtpIn = new SrtpContext(theirs.key.profile, theirs.key.key, theirs.key.salt, 64, limit);
    line.srtpOut = new SrtpContext(ours.profile, ours.key, ours.salt, 64, limit);
  }

  /** Where a line sends, and whom it hears, from the remote description. */
  private aim(line: MediaLine, m: RemoteMedia): void {
    const hold = m.address === '0.0.0.0' || m.address === '::';
    line.peerAddress = hold ? undefined : m.address;
    if (m.comedia || hold) return; // learnt from the first packet
    line.rtpTarget = { address: m.address, port: m.port };
    line.rtcpTarget = { address: m.address, port: m.rtcpMux ? m.port : m.rtcpPort };
  }

  private describe(): string {
    const media: LocalMedia[] = this.lines.map((line) => ({
      kind: line.remote?.kind ?? line.kind,
      port: line.codecs.length > 0 ? line.localPort : 0,
      protocol: this.options.crypto ? 'RTP/SAVPF' : 'RTP/AVPF',
      codecs: line.codecs.length > 0 ? line.codecs : (line.remote?.codecs.slice(0, 1) ?? []),
      rtcpPort: line.localPort + 1,
      rtcpMux: line.rtcpMux,
      direction: line.direction,
      passive: line.remote?.comedia === true,
      crypto: this.options.crypto ? cryptoLine(line.remote ? (remoteKey(line.remote.crypto, this.options.crypto.suite)?.line.id ?? 1) : 1, this.options.crypto) : undefined,
      ssrc: line.ssrc,
      cname: this.cname,
      mid: line.remote?.mid,
      feedback: line.kind === 'video',
    }));
    return writeLocal(this.options.address, this.sessionId, this.version++, media);
  }

  /** Negotiation done: streams we send exist, reports start. */
  private start(): void {
    for (const line of this.lines) {
      if (!line.remote || line.codecs.length === 0 || line.outbound) continue;
      const protector: RtpProtector = line.srtpOut ?? PLAIN_RTP;
      const codec = line.codecs[0];
      if (line.direction === 'sendrecv' || line.direction === 'sendonly') {
        line.outbound = new OutboundStream(
          { ssrc: line.ssrc, clockRate: codec?.clockRate ?? 90000, retransmissions: line.kind === 'video' && line.remote.nack },
          protector,
          (packet) => this.transmit(line, packet),
          () => this.handlers.keyframeNeeded(),
        );
        line.outbound.route(this.routes[line.kind]);
        this.session.setOutbound(line.kind, line.outbound);
      }
    }
    this.reportTimer ??= setInterval(() => this.sendReports(), REPORT_INTERVAL_MS);
    this.reportTimer.unref();
  }

  // ---- sockets ----

  /** Binds a line's RTP socket on an even port and its RTCP socket on the next one. */
  private async bind(line: MediaLine): Promise<void> {
    const family = this.options.address.includes(':') ? 'udp6' : 'udp4';
    const [low, high] = this.options.portRange ?? [10_000, 59_998];
    let lastError: unknown;
    for (let attempt = 0; attempt < 32; attempt++) {
      const port = (low + randomInt(0, Math.max(1, Math.floor((high - low) / 2)))) & ~1;
      const rtp = createSocket(family);
      const rtcp = createSocket(family);
      try {
        await listen(rtp, port, this.options.address);
        await listen(rtcp, port + 1, this.options.address);
      } catch (e) {
        lastError = e;
        rtp.close();
        rtcp.close();
        continue;
      }
      line.rtpSocket = rtp;
      line.rtcpSocket = rtcp;
      line.localPort = port;
      rtp.on('message', (data, from) => this.onDatagram(line, data, from, false));
      rtcp.on('message', (data, from) => this.onDatagram(line, data, from, true));
      for (const s of [rtp, rtcp]) s.on('error', (e) => this.handlers.failure(e));
      return;
    }
    throw new KurentoError('NOT_ENOUGH_RESOURCES', `No free UDP port pair for RTP on ${this.options.address}: ${(lastError as Error | undefined)?.message ?? 'no port tried'}`);
  }

  /** Hot path: a datagram on one of a line's sockets. */
  private onDatagram(line: MediaLine, data: Buffer, from: RemoteInfo, onRtcpSocket: boolean): void {
    if (this.closed || !line.remote || line.codecs.length === 0) return;
    if (!this.fromPeer(line, from, onRtcpSocket)) {
      this.counters.foreign++;
      return;
    }
    const second = data[1] ?? 0;
    // RFC 5761 §4: RTCP packet types 192–223 on a muxed socket.
    if (onRtcpSocket || (second >= 192 && second <= 223)) return this.onRtcp(line, data);
    if (data.length < 12 || (data[0] ?? 0) >> 6 !== 2) {
      this.counters.refused++;
      return;
    }
    // Authenticated first (SRTP leaves the header in the clear): only genuine packets create streams.
    const end = line.srtpIn ? line.srtpIn.unprotect(data) : data.length;
    const stream = end < 0 ? undefined : (this.session.streamOf(data) ?? (this.learnSsrc(line, data) ? this.session.streamOf(data) : undefined));
    if (!stream) {
      this.counters.refused++;
      return;
    }
    this.session.receive(stream, data, end, performance.now());
  }

  /** Whether a datagram comes from the peer; with COMEDIA, the first one that does latches its address. */
  private fromPeer(line: MediaLine, from: RemoteInfo, rtcp: boolean): boolean {
    if (line.peerAddress !== undefined && from.address !== line.peerAddress) return false;
    if (!line.remote?.comedia) return true;
    const target = rtcp && !line.rtcpMux ? line.rtcpTarget : line.rtpTarget;
    if (target) return target.address === from.address && target.port === from.port;
    // COMEDIA: this peer is the one now; its RTCP comes from the next port unless muxed.
    const learnt = { address: from.address, port: from.port };
    if (rtcp && !line.rtcpMux) line.rtcpTarget = learnt;
    else {
      line.rtpTarget = learnt;
      line.rtcpTarget ??= line.rtcpMux ? learnt : { address: from.address, port: from.port + 1 };
    }
    line.latched = true;
    return true;
  }

  /** A new SSRC on a line, with one of its media payload types: a stream of the peer. */
  private learnSsrc(line: MediaLine, data: Buffer): boolean {
    const pt = (data[1] ?? 0) & 0x7f;
    const codec = line.codecs.find((c) => c.payloadType === pt);
    if (!codec || !(line.direction === 'sendrecv' || line.direction === 'recvonly')) return false;
    const ssrc = data.readUInt32BE(8);
    line.remoteSsrcs.push(ssrc);
    if (line.remoteSsrcs.length > MAX_SSRCS_PER_LINE) line.remoteSsrcs.shift();
    const nack = line.kind === 'video' && line.remote?.nack === true;
    this.session.addInbound(ssrc, { kind: line.kind, clockRate: codec.clockRate, payloadTypes: line.codecs.map((c) => c.payloadType), nack: nack ? { senderSsrc: line.ssrc } : undefined });
    if (line.kind === 'video') this.handlers.keyframeNeeded();
    return true;
  }

  private onRtcp(line: MediaLine, data: Buffer): void {
    const plain = line.srtpIn ? line.srtpIn.unprotectRtcp(data) : data;
    if (!plain) {
      this.counters.refused++;
      return;
    }
    try {
      this.session.receiveRtcp(plain, performance.now(), Date.now());
    } catch (e) {
      this.handlers.failure(e);
    }
  }

  private transmit(line: MediaLine, packet: Buffer): void {
    const target = line.rtpTarget;
    if (!target || !line.rtpSocket || this.closed) return;
    line.rtpSocket.send(packet, target.port, target.address);
  }

  /** Sends one of our RTCP packets on `line` (the first line with a peer when not given). */
  private sendRtcp(packet: Buffer, line = this.lines.find((l) => l.rtcpTarget)): void {
    const target = line?.rtcpTarget;
    const socket = line?.rtcpMux ? line.rtpSocket : line?.rtcpSocket;
    if (!line || !target || !socket || this.closed) return;
    socket.send(line.srtpOut ? line.srtpOut.protectRtcp(packet) : packet, target.port, target.address);
  }

  /** Each m-line is an RTP session of its own (no BUNDLE): its reports go to its own RTCP port. */
  private sendReports(): void {
    for (const line of this.lines) {
      if (!line.rtcpTarget || line.codecs.length === 0) continue;
      const report = this.session.reports(line.ssrc, this.cname, performance.now(), Date.now(), line.kind);
      if (report) this.sendRtcp(report, line);
    }
  }
}

function listen(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/** Our direction for a peer's. */
function reverse(direction: SdpDirection): SdpDirection {
  return direction === 'sendonly' ? 'recvonly' : direction === 'recvonly' ? 'sendonly' : direction;
}
