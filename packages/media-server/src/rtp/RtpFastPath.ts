/**
 * The per-packet media path of one WebRTC transport once DTLS is up, without werift's packet
 * objects: SRTP in → the session's receive chain → the element graph as a plain RTP Buffer, and
 * from the graph → header rewritten → SRTP out → the socket. The RTCP the peer sends reaches the
 * session in plain form (werift decrypts it); ours leaves through the transmitter werift's SRTCP
 * context protects. It knows nothing of werift: webrtc/fastPathBinding.ts wires it.
 */
import { FastPathCell } from '@kurento-ts/native';
import { performance } from 'node:perf_hooks';
import type { MediaKind } from '../types/media.js';
import type { OutboundStream, SendRoute } from './OutboundStream.js';
import { RtpSession, type InboundStreamStats, type OutboundStreamStats, type RtpSessionSink } from './RtpSession.js';
import type { InboundRoute, InboundStream, ReceiveStage } from './stages.js';
import { LaneScope, type LaneSink } from './lanes.js';

export type { InboundRoute } from './stages.js';
export type { InboundStreamStats, OutboundStreamStats } from './RtpSession.js';

/** Where the fast path hands its results. */
export type FastPathSink = RtpSessionSink;

/** The inbound SRTP context: our TypeScript `SrtpContext` or the addon's (`NativeSrtp`). */
export interface RtpUnprotector {
  readonly profile: string;
  /** Unprotects in place: the plain packet is packet[0, result), or a negative result when refused. */
  unprotect(packet: Buffer): number;
}

export class RtpFastPath {
  /** The streams, their receive chain and their RTCP. */
  readonly session: RtpSession;
  private rtcpOut: ((packet: Buffer) => void) | undefined;
  private laneOut: ((kind: MediaKind, ssrc: number, pt: number) => LaneSink | undefined) | undefined;
  /** What close() releases (native SRTP sessions). */
  private readonly closers: (() => void)[] = [];
  /** Packets consumed here, and of them those a forwarding lane forwarded in C: a ledger lanes book in C. */
  readonly cells = new Float64Array(FastPathCell.size);
  /** Packets SRTP refused. */
  dropped = 0;

  constructor(
    readonly srtpIn: RtpUnprotector,
    sink: FastPathSink,
    stages: readonly ReceiveStage[],
    /** The forwarding lanes a change of this path stops (its endpoint's pipeline's). */
    readonly lanes: LaneScope = LaneScope.thread,
  ) {
    this.session = new RtpSession(sink, stages);
  }

  /** Routes a remote SSRC through the fast path. */
  addInbound(ssrc: number, route: InboundRoute): void {
    this.lanes.invalidate();
    this.session.addInbound(ssrc, route);
  }

  setOutbound(kind: MediaKind, stream: OutboundStream): void {
    this.session.setOutbound(kind, stream);
  }

  /** Sets how forwarded packets map onto our stream of `kind`. */
  route(kind: MediaKind, route: SendRoute | undefined): void {
    this.session.route(kind, route);
  }

  /**
   * Hot path, from the socket: an RTP datagram (first byte 128–191, not an RTCP type) from a
   * validated peer. Returns false when it is not ours to handle (unknown SSRC, RTX, RED...):
   * werift's own path takes it then.
   */
  receive(data: Buffer): boolean {
    const stream = this.session.streamOf(data);
    if (stream === undefined) return false;
    const end = this.srtpIn.unprotect(data);
    if (end < 0) {
      this.dropped++;
      return true;
    }
    this.cells[FastPathCell.received] = this.received + 1;
    this.session.receive(stream, data, end, performance.now());
    return true;
  }

  /** Packets consumed here. */
  get received(): number {
    return this.cells[FastPathCell.received] ?? 0;
  }

  /** Of the packets received, those a forwarding lane forwarded in C (native path only). */
  get laned(): number {
    return this.cells[FastPathCell.laned] ?? 0;
  }

  /** Hot path: the bookkeeping of a packet a forwarding lane took, unprotected in `plain`; its header length, or -1. */
  bookLaned(stream: InboundStream, plain: Buffer, nowMs: number): number {
    const cells = this.cells;
    cells[FastPathCell.received] = this.received + 1;
    cells[FastPathCell.laned] = this.laned + 1;
    try {
      return this.session.book(stream, plain, nowMs);
    } catch (e) {
      this.session.fail(e);
      return -1;
    }
  }

  /** Where forwarding lanes find how our stream of each kind is made (the transport's binding sets it). */
  setLaneOut(laneOut: (kind: MediaKind, ssrc: number, pt: number) => LaneSink | undefined): void {
    this.laneOut = laneOut;
  }

  /** How a lane sends packets of `ssrc` and source payload type `pt` as our stream of `kind`, when it can now. */
  laneSink(kind: MediaKind, ssrc: number, pt: number): LaneSink | undefined {
    return this.laneOut?.(kind, ssrc, pt);
  }

  /** A plain compound RTCP packet from the peer. */
  receiveRtcp(packet: Buffer): void {
    this.session.receiveRtcp(packet, performance.now(), Date.now());
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
    return this.session.send(kind, packet, performance.now());
  }

  /** RTP statistics of the first stream of `kind` each way, for getStats. */
  streamStats(kind: MediaKind): { inbound?: InboundStreamStats; outbound?: OutboundStreamStats } {
    return this.session.streamStats(kind);
  }

  /** Runs `release` when the fast path closes. */
  onClose(release: () => void): void {
    this.closers.push(release);
  }

  /** Releases what the transport's fast path holds outside the heap; idempotent. */
  close(): void {
    this.lanes.invalidate();
    for (const release of this.closers.splice(0)) release();
  }

  /** Counters for tests and diagnostics. */
  counters(): { received: number; dropped: number; sent: number; retransmitted: number; laned: number } {
    return { received: this.received, dropped: this.dropped, laned: this.laned, ...this.session.sentCounters() };
  }

  /** The compound RTCP report to send now (SR/RR + SDES), if there is anything to report. */
  reports(receiverSsrc: number, cname: string): Buffer | undefined {
    return this.session.reports(receiverSsrc, cname, performance.now(), Date.now());
  }
}
