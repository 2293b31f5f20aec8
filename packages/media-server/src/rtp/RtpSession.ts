/**
 * The streams of one RTP session, whatever carries them (WebRTC's fast path, or a plain RTP
 * endpoint's sockets): the streams the peer sends us, run through a chain of receive stages
 * (stages.ts), the streams we send (OutboundStream), the RTCP the peer sends read with our own
 * reader (keyframe requests, NACKs answered from the retransmission rings, sender reports for
 * lip sync, receiver reports for loss and round-trip time, REMB), and our periodic reports.
 * Packets come and go in plain form: protection and sockets are the transport's.
 */
import type { ClockMapping, MediaKind } from '../types/media.js';
import type { OutboundStream, SendRoute } from './OutboundStream.js';
import { readRtcp, type ReportBlock } from './rtcpReader.js';
import { buildReports } from './RtcpReports.js';
import type { LaneRoute, StageLedgers } from './lanes.js';
import { rtpHeaderLength } from './rtpHeader.js';
import { inboundStream, nackOf, type InboundRoute, type InboundStream, type ReceiveStage, type StageOutput } from './stages.js';

/** Seconds from 1900 (NTP) to 1970 (Unix). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** Where an RTP session hands its results. */
export interface RtpSessionSink {
  /** A plain RTP packet for the graph; valid only during the call. */
  rtp(kind: MediaKind, packet: Buffer): void;
  /** An RTCP packet of ours to send, serialized and not yet protected. */
  rtcp(packet: Buffer): void;
  /** The peer asks for a keyframe of what we send (PLI or FIR). */
  keyframeRequest(): void;
  /** A stream we send waits for a keyframe from its source. */
  keyframeNeeded(): void;
  /** A sender report of a stream the peer sends. */
  senderReport(kind: MediaKind, clock: ClockMapping): void;
  /** A handler threw. */
  failure(error: unknown): void;
  /** Where a forwarding lane may take the peer's stream of `kind` (SSRC, payload type) now, if anywhere. */
  laneRoute?(kind: MediaKind, ssrc: number, pt: number): LaneRoute | undefined;
}

/** What the peer's RTCP says of one of the streams we send. */
export interface RemoteView {
  /** Keyframe requests received (PLI, FIR) and Generic NACKs. */
  pliCount: number;
  firCount: number;
  /** From the latest receiver report block: fraction lost (0..1), packets lost, jitter (s), round-trip time (s). */
  fractionLost: number;
  packetsLost: number;
  jitterSeconds: number;
  roundTripTime: number | undefined;
  /** The latest REMB of the peer, bits per second. */
  remb: number | undefined;
}

/** What getStats reports of a stream the peer sends us. */
export interface InboundStreamStats {
  ssrc: number;
  packetsLost: number;
  /** The fraction lost (0..1) our latest receiver report gave. */
  fractionLost: number;
  jitterSeconds: number;
  nacksSent: number;
  /** Keyframe requests we sent for it. */
  pliSent: number;
}

/** What getStats reports of a stream we send. */
export interface OutboundStreamStats extends RemoteView {
  ssrc: number;
  nacksReceived: number;
  retransmitted: number;
}

const newRemoteView = (): RemoteView => ({ pliCount: 0, firCount: 0, fractionLost: 0, packetsLost: 0, jitterSeconds: 0, roundTripTime: undefined, remb: undefined });

export class RtpSession {
  private readonly inbound = new Map<number, InboundStream>();
  private readonly outbound: Partial<Record<MediaKind, OutboundStream>> = {};
  private readonly remote: Record<MediaKind, RemoteView> = { audio: newRemoteView(), video: newRemoteView() };
  /** Keyframe requests we sent for the video the peer sends. */
  pliSent = 0;
  private readonly output: StageOutput;

  constructor(
    private readonly sink: RtpSessionSink,
    /** The receive chain, run in order on every packet. */
    private readonly stages: readonly ReceiveStage[],
  ) {
    this.output = { rtcp: (p) => this.sink.rtcp(p) };
  }

  /** Routes a remote SSRC into the session (again after a renegotiation: statistics are kept). */
  addInbound(ssrc: number, route: InboundRoute): void {
    const stream = inboundStream(ssrc, route, this.inbound.get(ssrc >>> 0));
    this.inbound.set(stream.ssrc, stream);
    this.stages.forEach((stage, slot) => stage.bind(stream, slot, this.output));
  }

  /** The stream a packet belongs to when it is media of a negotiated SSRC (read from its header, before decryption). */
  streamOf(packet: Buffer): InboundStream | undefined {
    if (packet.length < 12) return undefined;
    const stream = this.inbound.get(packet.readUInt32BE(8));
    return stream !== undefined && stream.media[(packet[1] ?? 0) & 0x7f] === 1 ? stream : undefined;
  }

  /** Hot path: a plain packet of `stream` in `packet[0, end)` goes through the chain into the graph. */
  receive(stream: InboundStream, packet: Buffer, end: number, nowMs: number): void {
    const plain = end === packet.length ? packet : packet.subarray(0, end);
    try {
      if (this.book(stream, plain, nowMs) >= 0) this.sink.rtp(stream.route.kind, plain);
    } catch (e) {
      this.sink.failure(e);
    }
  }

  /**
   * Hot path: the receive chain's part of a plain packet (statistics, then every stage): its
   * header length, or -1 when it is not RTP. A forwarding lane's packets get only this.
   */
  book(stream: InboundStream, plain: Buffer, nowMs: number): number {
    const headerLength = rtpHeaderLength(plain);
    if (headerLength < 0) return -1;
    stream.stats.onPacket(plain.readUInt16BE(2), plain.readUInt32BE(4), nowMs);
    const stages = this.stages;
    for (let i = 0; i < stages.length; i++) stages[i]?.packet(stream, i, plain, headerLength, nowMs);
    return headerLength;
  }

  /** The ledgers `book` changes for `stream` beyond its statistics, for a forwarding lane to book in C; undefined when a stage cannot be booked there. */
  ledgers(stream: InboundStream): StageLedgers | undefined {
    const ledgers: StageLedgers = {};
    const stages = this.stages;
    for (let i = 0; i < stages.length; i++) if (!stages[i]?.ledger?.(stream, i, ledgers)) return undefined;
    return ledgers;
  }

  setOutbound(kind: MediaKind, stream: OutboundStream): void {
    this.outbound[kind] = stream;
  }

  /** Sets how forwarded packets map onto our stream of `kind`. */
  route(kind: MediaKind, route: SendRoute | undefined): void {
    this.outbound[kind]?.route(route);
  }

  /** Hot path, from the graph: sends a plain RTP packet as our stream of `kind`. */
  send(kind: MediaKind, packet: Buffer, nowMs: number): boolean {
    const stream = this.outbound[kind];
    return stream !== undefined && stream.send(packet, nowMs);
  }

  /** A plain compound RTCP packet from the peer. */
  receiveRtcp(packet: Buffer, nowMs: number, wallMs: number): void {
    const facts = readRtcp(packet);
    for (const sr of facts.senderReports) {
      const stream = this.inbound.get(sr.ssrc);
      if (!stream) continue;
      stream.stats.onSenderReport(Number((sr.ntp >> 16n) & 0xffffffffn), nowMs);
      const ntpMs = (Number(sr.ntp >> 32n) - NTP_UNIX_OFFSET_S) * 1000 + (Number(sr.ntp & 0xffffffffn) * 1000) / 2 ** 32;
      this.sink.senderReport(stream.route.kind, { ssrc: sr.ssrc, rtpTimestamp: sr.rtpTimestamp, ntpMs, receivedAtMs: nowMs });
    }
    for (const block of facts.reportBlocks) this.onReportBlock(block, wallMs);
    for (const request of facts.keyframeRequests) {
      // Chrome's PLI may name its own SSRC rather than ours (WEBRTC-STACK.md pitfall 2): any request counts.
      const view = this.remote[this.kindOfOutbound(request.mediaSsrc) ?? 'video'];
      if (request.fir) view.firCount++;
      else view.pliCount++;
      this.sink.keyframeRequest();
    }
    for (const nack of facts.nacks) {
      const kind = this.kindOfOutbound(nack.mediaSsrc);
      if (kind) this.outbound[kind]?.retransmit(nack.sequences, nowMs);
    }
    for (const remb of facts.remb) for (const kind of ['audio', 'video'] as const) this.remote[kind].remb = remb.bitrate;
  }

  /** Reports a fault of the bookkeeping outside `receive` (a forwarding lane's). */
  fail(error: unknown): void {
    this.sink.failure(error);
  }

  /** Counts a keyframe request we send for the peer's video (stats). */
  keyframeRequested(): void {
    this.pliSent++;
  }

  /**
   * The compound RTCP report to send now (SR/RR + SDES), if there is anything to report: of every
   * stream (a bundled transport), or of one kind's (an m-line of its own, a separate RTP session).
   */
  reports(receiverSsrc: number, cname: string, nowMs: number, wallMs: number, kind?: MediaKind): Buffer | undefined {
    const kinds = kind ? [kind] : (['audio', 'video'] as const);
    const outbound = kinds.map((k) => this.outbound[k]).filter((s): s is OutboundStream => s !== undefined && s.packetCount > 0);
    const inbound = [...this.inbound.values()].filter((s) => s.stats.received > 0 && kinds.includes(s.route.kind)).map((s) => s.stats);
    return buildReports(outbound, inbound, receiverSsrc, cname, nowMs, wallMs);
  }

  /** RTP statistics of the first stream of `kind` each way, for getStats. */
  streamStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats } {
    const inbound = [...this.inbound.values()].find((s) => s.route.kind === kind && s.stats.received > 0);
    const outbound = this.outbound[kind];
    return {
      inbound: inbound && { ssrc: inbound.ssrc, packetsLost: inbound.stats.packetsLost, fractionLost: inbound.stats.fractionLost, jitterSeconds: inbound.stats.jitterSeconds, nacksSent: nackOf(inbound)?.sent ?? 0, pliSent: kind === 'video' ? this.pliSent : 0 },
      outbound: outbound && { ssrc: outbound.ssrc, nacksReceived: outbound.nacksReceived, retransmitted: outbound.retransmitted, ...this.remote[kind] },
    };
  }

  /** Packets sent and retransmitted over all our streams. */
  sentCounters(): { sent: number; retransmitted: number } {
    const out = [this.outbound.audio, this.outbound.video];
    const sum = (f: (s: OutboundStream) => number) => out.reduce((n, s) => n + (s ? f(s) : 0), 0);
    return { sent: sum((s) => s.packetCount), retransmitted: sum((s) => s.retransmitted) };
  }

  private kindOfOutbound(ssrc: number): MediaKind | undefined {
    if (this.outbound.video?.ssrc === ssrc >>> 0) return 'video';
    if (this.outbound.audio?.ssrc === ssrc >>> 0) return 'audio';
    return undefined;
  }

  /** A peer's report on one of our streams: loss, jitter and, from LSR/DLSR, the round-trip time (RFC 3550 §6.4.1). */
  private onReportBlock(block: ReportBlock, wallMs: number): void {
    const kind = this.kindOfOutbound(block.ssrc);
    if (!kind) return;
    const view = this.remote[kind];
    view.fractionLost = block.fractionLost;
    view.packetsLost = block.cumulativeLost;
    view.jitterSeconds = block.jitter / (this.outbound[kind]?.clockRate ?? 90000);
    if (block.lastSr === 0) return;
    const nowMiddle = Math.floor((wallMs / 1000 + NTP_UNIX_OFFSET_S) * 65536) >>> 0;
    const rtt = ((nowMiddle - block.lastSr - block.delaySinceLastSr) >>> 0) / 65536;
    if (rtt >= 60) return; // a wrapped or bogus value is not a round trip
    view.roundTripTime = rtt;
    this.outbound[kind]?.roundTrip(rtt);
  }
}
