/**
 * The forwarding lanes of one native socket of a transport (@kurento-ts/native's csrc/lane.c).
 * A lane is armed right after a packet of its SSRC went through the TypeScript path, from what
 * the graph says of the next one (rtp/lanes.ts): every sink a WebRTC transport on a native socket,
 * every part of the path in its steady state. C then forwards that SSRC's packets inside the
 * receive batch, and each one is booked here as the TypeScript path would have: reception
 * statistics, NACK and transport-cc, flow counters, each sink's counters and retransmission ring.
 * When every part of that bookkeeping has a ledger (@kurento-ts/native's ledgers), C books the
 * packets too and JS sees none of them; a packet C could not book (a gap to NACK, a ring to grow)
 * is booked here, and so is every later one of its lane until it is armed again.
 * Any change stops the lanes of its pipeline (LaneScope: one epoch cell per pipeline), and they
 * are armed again from their next packets.
 */
import { performance } from 'node:perf_hooks';
import { LANE_TARGETS, type LaneBooks, type LaneSinkBooks, type NativeSrtpSession, type NativeUdpSocket } from '@kurento-ts/native';
import type { LaneRoute, LaneScope } from '../rtp/lanes.js';
import type { RtpFastPath } from '../rtp/RtpFastPath.js';
import type { InboundStream } from '../rtp/stages.js';
import type { MediaKind } from '../types/media.js';
import type { WireCounters } from './fastPathBinding.js';

/** `KURENTO_LANES=0` (or false, off, no) keeps every packet on the TypeScript path of the native sockets (to compare, or to rule lanes out). */
export const LANES_ENV = 'KURENTO_LANES';
/** `KURENTO_LANE_BOOKS=0` keeps the lanes but books every packet they forward here, in JavaScript (to compare). */
export const LANE_BOOKS_ENV = 'KURENTO_LANE_BOOKS';
const switchedOff = (name: string): boolean => ['0', 'false', 'off', 'no'].includes(process.env[name]?.trim().toLowerCase() ?? '');
const lanesOff = switchedOff(LANES_ENV);
const booksOff = switchedOff(LANE_BOOKS_ENV);

/** An SSRC whose lane cannot be armed is asked again after this many packets at the same epoch. */
const RETRY_PACKETS = 50;

interface ArmedLane {
  readonly stream: InboundStream;
  readonly route: LaneRoute;
  readonly epoch: number;
  /** Armed with books: JS books only what C declined, and arms it again after RETRY_PACKETS of those. */
  readonly booked: boolean;
  /** Packets booked here since it was armed. */
  declined: number;
}

export class SocketLanes {
  /** By the lane id C gave. */
  private readonly armed: (ArmedLane | undefined)[] = [];
  /** Per SSRC: the epoch of the last attempt to arm its lane, and packets left until the next attempt at that epoch. */
  private readonly attempts = new Map<number, { epoch: number; wait: number }>();

  constructor(
    private readonly socket: NativeUdpSocket,
    private readonly fastPath: RtpFastPath,
    private readonly srtpIn: NativeSrtpSession,
    private readonly routeOf: (kind: MediaKind, ssrc: number, pt: number) => LaneRoute | undefined,
    private readonly wire: WireCounters | undefined,
    /** The scope the lanes are armed in (the endpoint's pipeline's). */
    private readonly lanes: LaneScope,
  ) {}

  /** After the TypeScript path took `packet` (unprotected now, on this socket): arms its SSRC's lane when the path is in its steady state. */
  afterPacket(packet: Buffer): void {
    if (lanesOff) return;
    const ssrc = packet.readUInt32BE(8);
    const epoch = this.lanes.epoch;
    const attempt = this.attempts.get(ssrc);
    if (attempt !== undefined && attempt.epoch === epoch && --attempt.wait > 0) return;
    if (attempt === undefined) this.attempts.set(ssrc, { epoch, wait: RETRY_PACKETS });
    else {
      attempt.epoch = epoch;
      attempt.wait = RETRY_PACKETS;
    }
    const stream = this.fastPath.session.streamOf(packet);
    if (!stream || this.socket.isClosed) return;
    const pt = (packet[1] ?? 0) & 0x7f;
    const route = this.routeOf(stream.route.kind, ssrc, pt);
    if (!route || route.sinks.length === 0 || route.sinks.length > LANE_TARGETS) return;
    this.arm(ssrc, pt, stream, route, epoch);
  }

  private arm(ssrc: number, pt: number, stream: InboundStream, route: LaneRoute, epoch: number): void {
    const books = this.booksOf(stream, route);
    try {
      this.armed[this.socket.setLane(ssrc, pt, this.srtpIn, route.sinks.map((s) => s.target), this.lanes.cell, books)] = { stream, route, epoch, booked: books !== undefined, declined: 0 };
    } catch {
      // a sink's socket or session closed under us: its packets stay on the TypeScript path
    }
  }

  /** What C books for the lane, when every part of the bookkeeping below has a ledger. */
  private booksOf(stream: InboundStream, route: LaneRoute): LaneBooks | undefined {
    if (booksOff) return undefined;
    const ledgers = this.fastPath.session.ledgers(stream);
    if (!ledgers || !route.flow) return undefined;
    const sinks: LaneSinkBooks[] = [];
    for (const sink of route.sinks) {
      const books = sink.books?.();
      if (!books?.flow) return undefined;
      sinks.push(books);
    }
    return { nowMs: performance.now(), fastPath: this.fastPath.cells, wire: this.wire?.cells, stats: stream.stats.cells, nack: ledgers.nack, twcc: ledgers.twcc, flow: route.flow, sinks };
  }

  /** Hot path: books the packet a lane forwarded from receive slot `slot` (unprotected there now). */
  book(slot: number): void {
    const socket = this.socket;
    const laneId = socket.rxLane[slot] ?? -1;
    const lane = this.armed[laneId];
    if (!lane) return;
    const offset = socket.rxOffset(slot);
    if (lane.booked && ++lane.declined >= RETRY_PACKETS && lane.epoch === this.lanes.epoch) {
      // Armed again in place (the same id); when that fails, the lane goes on as it was and is tried again later.
      lane.declined = 0;
      this.arm(lane.stream.ssrc, (socket.slab[offset + 1] ?? 0) & 0x7f, lane.stream, lane.route, lane.epoch);
    }
    const length = socket.rxLength[slot] ?? 0;
    const plain = socket.slab.subarray(offset, offset + length);
    if (this.wire) {
      this.wire.packetsReceived++;
      this.wire.bytesReceived += length;
    }
    const nowMs = performance.now();
    const headerLength = this.fastPath.bookLaned(lane.stream, plain, nowMs);
    if (headerLength < 0) return;
    const payloadLength = length - headerLength;
    try {
      lane.route.received(payloadLength);
      const sinks = lane.route.sinks;
      const records = slot * LANE_TARGETS;
      for (let k = 0; k < sinks.length; k++) {
        const sink = sinks[k];
        const outLength = socket.laneLength[records + k] ?? -1;
        if (sink === undefined || outLength < 0) continue;
        const at = socket.laneOffset[records + k] ?? 0;
        sink.sent(sink.target.socket.slab.subarray(at, at + outLength), payloadLength, plain, headerLength, nowMs);
      }
    } catch (e) {
      this.fastPath.session.fail(e);
    }
  }

  /** Drops the socket's lanes (the transport closes). */
  close(): void {
    this.armed.length = 0;
    this.attempts.clear();
    this.socket.clearLanes();
  }
}
