/**
 * The per-packet media path of one transport once DTLS is up, without werift's packet objects:
 * SRTP in → header fields read from the Buffer → the element graph as a plain RTP Buffer, and
 * from the graph → header rewritten → SRTP out → the socket. RTCP (keyframe requests, NACKs,
 * feedback) stays on werift; this module answers NACKs from its retransmission rings and writes
 * the periodic sender/receiver reports. It knows nothing of werift: webrtc/PeerSession wires it.
 */
import { performance } from 'node:perf_hooks';
import type { MediaKind } from '../types/media.js';
import type { OutboundStream, SendRoute } from './OutboundStream.js';
import { NackGenerator } from './NackGenerator.js';
import { ReceptionStats } from './ReceptionStats.js';
import { buildReports } from './RtcpReports.js';
import { readExtensionU16, rtpHeaderLength } from './rtpHeader.js';
import type { SrtpContext } from './SrtpContext.js';

/** A stream the peer sends us, as negotiated. */
export interface InboundRoute {
  kind: MediaKind;
  clockRate: number;
  /** Payload types of media codecs on this m-line (RTX, RED and FEC go to werift's path). */
  payloadTypes: readonly number[];
  /** Ask for lost packets with Generic NACKs, as the RTCP sender `senderSsrc` (when negotiated). */
  nack?: { senderSsrc: number };
}

/** Where the fast path hands its results. */
export interface FastPathSink {
  /** A plain RTP packet for the graph; valid only during the call (its bytes are reused). */
  rtp(kind: MediaKind, packet: Buffer): void;
  /** A transport-wide sequence number and its arrival time (µs), for transport-cc feedback. */
  transportSequence(seq: number, arrivalUs: number): void;
  /** An RTCP packet of ours to send (e.g. a NACK), serialized and not yet protected. */
  rtcp(packet: Buffer): void;
  /** A stream we send waits for a keyframe from its source. */
  keyframeNeeded(): void;
  /** A handler threw. */
  failure(error: unknown): void;
}

interface InboundStream {
  kind: MediaKind;
  media: Uint8Array;
  stats: ReceptionStats;
  nack: NackGenerator | undefined;
}

/** What getStats reports of a stream the peer sends us. */
export interface InboundStreamStats {
  ssrc: number;
  packetsLost: number;
  jitterSeconds: number;
  nacksSent: number;
}

/** What getStats reports of a stream we send. */
export interface OutboundStreamStats {
  ssrc: number;
  nacksReceived: number;
  retransmitted: number;
}

export class RtpFastPath {
  private readonly inbound = new Map<number, InboundStream>();
  private readonly outbound: Partial<Record<MediaKind, OutboundStream>> = {};
  private rtcpOut: ((packet: Buffer) => void) | undefined;
  /** Packets consumed here, and how many of them SRTP refused. */
  received = 0;
  dropped = 0;

  constructor(
    readonly srtpIn: SrtpContext,
    private readonly sink: FastPathSink,
    /** Negotiated id of the transport-wide sequence number extension (0: none). */
    private readonly transportCcId: number,
  ) {}

  /** Routes a remote SSRC through the fast path. */
  addInbound(ssrc: number, route: InboundRoute): void {
    const media = new Uint8Array(128);
    for (const pt of route.payloadTypes) media[pt & 0x7f] = 1;
    const existing = this.inbound.get(ssrc >>> 0);
    const stats = existing?.stats ?? new ReceptionStats(ssrc >>> 0, route.clockRate);
    const nack = route.nack && (existing?.nack ?? new NackGenerator(route.nack.senderSsrc, ssrc >>> 0, (packet) => this.sink.rtcp(packet)));
    this.inbound.set(ssrc >>> 0, { kind: route.kind, media, stats, nack });
  }

  setOutbound(kind: MediaKind, stream: OutboundStream): void {
    this.outbound[kind] = stream;
  }

  /** Sets how forwarded packets map onto our stream of `kind`. */
  route(kind: MediaKind, route: SendRoute | undefined): void {
    this.outbound[kind]?.route(route);
  }

  /**
   * Hot path, from the socket: an RTP datagram (first byte 128–191, not an RTCP type) from a
   * validated peer. Returns false when it is not ours to handle (unknown SSRC, RTX, RED...):
   * werift's own path takes it then.
   */
  receive(data: Buffer): boolean {
    if (data.length < 12) return false;
    const stream = this.inbound.get(data.readUInt32BE(8));
    if (stream === undefined || stream.media[(data[1] ?? 0) & 0x7f] !== 1) return false;
    const end = this.srtpIn.unprotect(data);
    if (end < 0) {
      this.dropped++;
      return true;
    }
    this.received++;
    const nowMs = performance.now();
    if (this.transportCcId > 0) {
      const seq = readExtensionU16(data, rtpHeaderLength(data, end), this.transportCcId);
      if (seq >= 0) this.sink.transportSequence(seq, nowMs * 1000);
    }
    const seq = data.readUInt16BE(2);
    stream.stats.onPacket(seq, data.readUInt32BE(4), nowMs);
    try {
      stream.nack?.onPacket(seq, nowMs);
      this.sink.rtp(stream.kind, data.subarray(0, end));
    } catch (e) {
      this.sink.failure(e);
    }
    return true;
  }

  /** Where our own RTCP (feedback, reports) goes: protected and sent on the transport's socket. */
  setRtcpTransmitter(send: (packet: Buffer) => void): void {
    this.rtcpOut = send;
  }

  /** Sends one of our RTCP packets (serialized, unprotected); false when there is no transmitter. */
  sendRtcp(packet: Buffer): boolean {
    if (!this.rtcpOut) return false;
    this.rtcpOut(packet);
    return true;
  }

  /** Hot path, from the graph: sends a plain RTP packet as our stream of `kind`. */
  send(kind: MediaKind, packet: Buffer): boolean {
    const stream = this.outbound[kind];
    return stream !== undefined && stream.send(packet, performance.now());
  }

  /** A Generic NACK for our stream of `kind`: retransmit what the ring still holds. */
  nack(kind: MediaKind, seqs: readonly number[]): void {
    this.outbound[kind]?.retransmit(seqs, performance.now());
  }

  /** The peer's sender report for `ssrc` (middle 32 bits of its NTP time), for our LSR/DLSR. */
  senderReport(ssrc: number, ntpMiddle32: number): void {
    this.inbound.get(ssrc >>> 0)?.stats.onSenderReport(ntpMiddle32, performance.now());
  }

  /** RTP statistics of the first stream of `kind` each way, for getStats. */
  streamStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats } {
    const inbound = [...this.inbound.values()].find((s) => s.kind === kind && s.stats.received > 0);
    const outbound = this.outbound[kind];
    return {
      inbound: inbound && { ssrc: inbound.stats.ssrc, packetsLost: inbound.stats.packetsLost, jitterSeconds: inbound.stats.jitterSeconds, nacksSent: inbound.nack?.sent ?? 0 },
      outbound: outbound && { ssrc: outbound.ssrc, nacksReceived: outbound.nacksReceived, retransmitted: outbound.retransmitted },
    };
  }

  /** Counters for tests and diagnostics. */
  counters(): { received: number; dropped: number; sent: number; retransmitted: number } {
    const out = [this.outbound.audio, this.outbound.video];
    const sum = (f: (s: OutboundStream) => number) => out.reduce((n, s) => n + (s ? f(s) : 0), 0);
    return { received: this.received, dropped: this.dropped, sent: sum((s) => s.packetCount), retransmitted: sum((s) => s.retransmitted) };
  }

  /** The compound RTCP report to send now (SR/RR + SDES), if there is anything to report. */
  reports(receiverSsrc: number, cname: string): Buffer | undefined {
    const outbound = [this.outbound.audio, this.outbound.video].filter((s): s is OutboundStream => s !== undefined && s.packetCount > 0);
    const inbound = [...this.inbound.values()].filter((s) => s.stats.received > 0).map((s) => s.stats);
    return buildReports(outbound, inbound, receiverSsrc, cname, performance.now(), Date.now());
  }
}
