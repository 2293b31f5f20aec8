/**
 * A UDP socket owned by native code. Datagrams arrive in batches in a slab JS reads in place
 * (no Buffer per packet); JS writes send descriptors and the socket sends them in one sendmmsg.
 *
 * Slab layout: receive slots 0..batch-1 at `slot * stride`, then `txCapacity` send slots at
 * `txSlotOffset(j)`. A descriptor may point anywhere in the slab, so a packet can be sent from
 * the receive slot it arrived in. Receive slots are valid only during the `onBatch` call.
 */
import { requireNative, type RawLaneBooks, type RawUdpSocket, type UdpSocketStats } from './binding.js';
import type { NativeSrtpSession } from './srtp.js';

export type { UdpSocketStats } from './binding.js';

/** What each received datagram is (RFC 7983 on its first byte; RFC 5761 for RTCP), or what a forwarding lane did with it (lane: forwarded, JS books it; booked: forwarded and booked in C). */
export const DatagramKind = { dropped: 0, stun: 1, dtls: 2, rtp: 3, rtcp: 4, other: 5, lane: 6, booked: 7 } as const;

/** Most sinks of one forwarding lane, and the stride of its records per receive slot. */
export const LANE_TARGETS = 32;

/** One sink of a forwarding lane: where the rewritten packet goes and how its header is made. */
export interface LaneTarget {
  socket: NativeUdpSocket;
  /** Destination peer id on that socket. */
  peer: number;
  /** The sink's outbound SRTP session. */
  srtp: NativeSrtpSession;
  /** The sink's whole RTP header as a template: bytes 0–7 are rewritten per packet, the rest (SSRC, extensions) kept. */
  header: Uint8Array;
  payloadType: number;
  seqOffset: number;
  timestampOffset: number;
}

/**
 * What a lane books in C for each packet it forwards, in the ledgers (ledgers.ts) of the objects
 * the TypeScript path would update: the source's side, then each target's in `targets` order.
 * A packet C cannot book as the TypeScript path would reaches onBatch as DatagramKind.lane, and
 * from then on every packet of that lane does, until it is armed again.
 */
export interface LaneBooks {
  /** performance.now() at arming: the clock C books arrivals and sends with follows it. */
  nowMs: number;
  /** FastPathCell: packets received and laned. */
  fastPath: Float64Array;
  /** WireCell of the source's transport (packets and bytes received), when it counts them. */
  wire: Float64Array | undefined;
  /** StatsCell: reception statistics of the stream. */
  stats: Float64Array;
  /** NackCell, when the stream sends NACKs. */
  nack: Float64Array | undefined;
  /** TwccCell and its records, when the transport sends transport-cc feedback; the extension's id. */
  twcc: { cells: Float64Array; records: Float64Array; extensionId: number } | undefined;
  /** FlowCell of the source endpoint's flow in, when it counts one. */
  flow: Float64Array | undefined;
  sinks: readonly LaneSinkBooks[];
}

/** What a lane books for each packet it sent to one target. */
export interface LaneSinkBooks {
  /** OutboundCell of the stream it sends as. */
  outbound: Float64Array;
  /** The stream's payload type is VP8: its picture ids are followed. */
  vp8: boolean;
  /** The stream's retransmission ring: RingCell, its slot arrays, its slab. */
  ring: { cells: Float64Array; slots: ArrayBuffer; slab: Buffer } | undefined;
  /** WireCell of the target's transport (packets and bytes sent), when it counts them. */
  wire: Float64Array | undefined;
  /** FlowCell of the sink endpoint's flow out, when it counts one. */
  flow: Float64Array | undefined;
}

/** Options of a native UDP socket. */
export interface NativeUdpSocketOptions {
  /** Local IPv4 or IPv6 literal to bind. */
  address: string;
  /** Port to bind (0 or absent: any), or a range tried from a random place in it. */
  port?: number | readonly [min: number, max: number];
  /** Datagrams per recvmmsg, also the receive slots (default 32, at most 256). */
  batch?: number;
  /** Send slots and descriptors (default 64, at most 256). */
  txCapacity?: number;
  /** Bytes per slot (default 2048: any datagram of a 1,500-byte MTU). Larger datagrams are dropped and counted. */
  stride?: number;
  /**
   * Drop (and count) everything but STUN from sources that are not peers (default true): media,
   * DTLS and RTCP reach JS only from addresses ICE validated (addPeer).
   */
  peersOnly?: boolean;
  /**
   * Called once per batch with the socket and the number of receive slots filled. Its return
   * value is how many send descriptors (from 0) to send right after it: no extra call to flush.
   */
  onBatch: (socket: NativeUdpSocket, count: number) => number | void;
}

/** A native UDP socket: see the module comment for the slab. */
export class NativeUdpSocket {
  /** Receive and send slots. */
  readonly slab: Buffer;
  /** Length of each received datagram, by receive slot. */
  readonly rxLength: Int32Array;
  /** DatagramKind of each received datagram. */
  readonly rxKind: Int32Array;
  /** Peer id of each datagram's source, -1 when it is not a peer. */
  readonly rxPeer: Int32Array;
  /** Send descriptors: byte offset in the slab, length, peer id. */
  readonly txOffset: Int32Array;
  readonly txLength: Int32Array;
  readonly txPeer: Int32Array;
  /**
   * Lane records of the batch: the lane id of each DatagramKind.lane slot, and for slot i and the
   * lane's target k, at i * LANE_TARGETS + k, where its protected copy went in that target's slab
   * (-1: not sent).
   */
  readonly rxLane: Int32Array;
  readonly laneOffset: Int32Array;
  readonly laneLength: Int32Array;
  /** [0]: send descriptors queued (from 0), sent after the batch or by flush. */
  readonly txPending: Int32Array;
  readonly batch: number;
  readonly txCapacity: number;
  readonly stride: number;
  readonly port: number;
  readonly family: 4 | 6;
  readonly address: string;
  /** The addon's object (lanes of other sockets point at it). */
  readonly raw: RawUdpSocket;
  private closed = false;

  constructor(options: NativeUdpSocketOptions) {
    const { UdpSocket } = requireNative();
    const batch = options.batch ?? 32;
    const txCapacity = options.txCapacity ?? 64;
    const stride = options.stride ?? 2048;
    const [min, max] = typeof options.port === 'object' ? options.port : [options.port ?? 0, options.port ?? 0];
    const onBatch = options.onBatch;
    // The native side calls this with the raw socket as `this`; the closure gives the wrapper.
    this.raw = new UdpSocket(options.address, min, max, batch, txCapacity, stride, options.peersOnly ?? true, (count) => onBatch(this, count) ?? 0);
    const meta = this.raw.meta;
    this.slab = this.raw.slab;
    this.rxLength = meta.subarray(0, batch);
    this.rxKind = meta.subarray(batch, 2 * batch);
    this.rxPeer = meta.subarray(2 * batch, 3 * batch);
    this.txOffset = meta.subarray(3 * batch, 3 * batch + txCapacity);
    this.txLength = meta.subarray(3 * batch + txCapacity, 3 * batch + 2 * txCapacity);
    this.txPeer = meta.subarray(3 * batch + 2 * txCapacity, 3 * batch + 3 * txCapacity);
    const lanes = 3 * batch + 3 * txCapacity;
    const records = batch * LANE_TARGETS;
    this.rxLane = meta.subarray(lanes, lanes + batch);
    this.laneOffset = meta.subarray(lanes + batch, lanes + batch + records);
    this.laneLength = meta.subarray(lanes + batch + records, lanes + batch + 2 * records);
    this.txPending = meta.subarray(lanes + batch + 2 * records, lanes + batch + 2 * records + 1);
    this.batch = batch;
    this.txCapacity = txCapacity;
    this.stride = stride;
    this.port = this.raw.port;
    this.family = this.raw.family;
    this.address = options.address;
  }

  /** Byte offset of receive slot `slot` in the slab. */
  rxOffset(slot: number): number {
    return slot * this.stride;
  }

  /** Byte offset of send slot `slot` in the slab. */
  txSlotOffset(slot: number): number {
    return (this.batch + slot) * this.stride;
  }

  /** Sends descriptors [0, count) in one sendmmsg; returns how many the kernel took. */
  flush(count: number): number {
    return this.raw.flush(count);
  }

  /** Registers a destination (and a source whose datagrams pass peersOnly); returns its id (same address, same id). */
  addPeer(address: string, port: number): number {
    return this.raw.addPeer(address, port);
  }

  /** Forgets a peer id: its datagrams count as a stranger's again. */
  removePeer(id: number): void {
    this.raw.removePeer(id);
  }

  /** Source address and port of receive slot `slot` in the current batch. */
  source(slot: number): [address: string, port: number] {
    return this.raw.source(slot);
  }

  /** A copy of receive slot `slot`'s datagram, for code that keeps it (STUN, DTLS). */
  copyDatagram(slot: number): Buffer {
    const start = slot * this.stride;
    return Buffer.from(this.slab.subarray(start, start + (this.rxLength[slot] ?? 0)));
  }

  /** Sends one datagram now, to any address (STUN, DTLS, control traffic); false when the kernel refused it. */
  sendTo(bytes: Uint8Array, address: string, port: number, offset = 0, length = bytes.length - offset): boolean {
    return this.raw.sendTo(bytes, offset, length, address, port);
  }

  /**
   * Arms the forwarding lane of `ssrc` (replacing its lane) in epoch cell `cell` (lanes.ts): from
   * now on, until that cell's or the thread's epoch changes (invalidateLanes), its RTP packets of `payloadType` are unprotected with
   * `srtpIn`, rewritten and protected into each target's next send slot in C, and reach onBatch
   * as DatagramKind.lane slots with their records. With `books` (one sink per target), C also
   * books them (DatagramKind.booked: nothing left for JS) for as long as it can. Returns the lane
   * id rxLane names.
   */
  setLane(ssrc: number, payloadType: number, srtpIn: NativeSrtpSession, targets: readonly LaneTarget[], cell = 0, books?: LaneBooks): number {
    if (books && books.sinks.length !== targets.length) throw new RangeError('a lane books one sink per target');
    return this.raw.setLane(
      ssrc >>> 0,
      payloadType,
      srtpIn.raw,
      targets.map((t) => [t.socket.raw, t.peer, t.srtp.raw, t.header, t.payloadType, t.seqOffset & 0xffff, t.timestampOffset >>> 0]),
      cell,
      books && rawBooks(books),
    );
  }

  /** Drops every lane of this socket. */
  clearLanes(): void {
    if (!this.closed) this.raw.clearLanes();
  }

  /** Counters, for stats and tests. */
  stats(): UdpSocketStats {
    return this.raw.stats();
  }

  /** Stops receiving; the descriptor closes on the loop's next turn. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.raw.close();
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }
}

/** The flat form csrc/ledger.c reads. */
function rawBooks(books: LaneBooks): RawLaneBooks {
  const twcc = books.twcc;
  return [
    books.nowMs,
    books.fastPath,
    books.wire ?? null,
    books.stats,
    books.nack ?? null,
    twcc?.cells ?? null,
    twcc?.records ?? null,
    twcc?.extensionId ?? 0,
    books.flow ?? null,
    books.sinks.map((s) => [s.outbound, s.vp8 ? 1 : 0, s.ring?.cells ?? null, s.ring?.slots ?? null, s.ring?.slab ?? null, s.wire ?? null, s.flow ?? null]),
  ];
}
