/**
 * A native socket in the shape of werift's ICE `Transport` (`type`, `address`, `closed`,
 * `onData(data, addr)`, `send(data, addr)`, `close()`), so that ICE and DTLS keep running in JS
 * on a socket native code owns from the start: STUN and DTLS (and media no handler took) reach
 * `onData` as copies, RTP and RTCP from trusted peers go to `media` in the slab, untouched.
 */
import type { AddressInfo } from 'node:net';
import { DatagramKind, NativeUdpSocket } from './udp.js';

/** A remote address as werift writes it. */
export type TransportAddress = Readonly<[string, number]>;

/**
 * Takes RTP or RTCP in receive slot `slot` of `socket` (plain SRTP as it came); true when it
 * handled it, false to hand it to `onData`. It may queue sends with `transport.queue`.
 */
export type MediaHandler = (socket: NativeUdpSocket, slot: number, kind: typeof DatagramKind.rtp | typeof DatagramKind.rtcp) => boolean;

/** Bookkeeping of RTP a forwarding lane already forwarded: slot `slot` holds it unprotected (socket.rxLane names the lane). */
export type LaneHandler = (socket: NativeUdpSocket, slot: number) => void;

/** Where and how a native transport binds. */
export interface NativeUdpTransportOptions {
  address: string;
  port?: number | readonly [min: number, max: number];
  batch?: number;
  txCapacity?: number;
  /** Drop non-STUN from untrusted sources in C (default true); false when ICE runs without `trust()` calls. */
  peersOnly?: boolean;
}

export class NativeUdpTransport {
  readonly type = 'udp';
  /** werift's receive hook: every datagram JS must see, with its source. */
  onData: (data: Buffer, addr: TransportAddress) => void = () => undefined;
  /** The media fast path's hook, for RTP and RTCP from trusted peers. */
  media: MediaHandler | undefined;
  /** The fast path's hook for what its forwarding lanes took. */
  lane: LaneHandler | undefined;
  readonly socket: NativeUdpSocket;
  private last: TransportAddress | undefined;

  constructor(options: NativeUdpTransportOptions) {
    this.socket = new NativeUdpSocket({ ...options, peersOnly: options.peersOnly ?? true, onBatch: (socket, count) => this.receive(socket, count) });
  }

  get address(): AddressInfo {
    return { address: this.socket.address, port: this.socket.port, family: this.socket.family === 4 ? 'IPv4' : 'IPv6' };
  }

  get closed(): boolean {
    return this.socket.isClosed;
  }

  /** Lets media and DTLS from `addr` through (call when ICE validated it); returns its peer id for `queue`. */
  trust(addr: TransportAddress): number {
    return this.socket.addPeer(addr[0], addr[1]);
  }

  /**
   * Byte offset of the send slot the next `queue` call takes (flushing first when every
   * descriptor is in use): write a packet there, then queue it with this offset.
   */
  nextSendSlot(): number {
    if (this.pending === this.socket.txCapacity) this.flush();
    return this.socket.txSlotOffset(this.pending);
  }

  /** Descriptors queued (by `queue` and by lanes in C), in the socket's shared counter. */
  private get pending(): number {
    return this.socket.txPending[0] ?? 0;
  }

  private set pending(count: number) {
    this.socket.txPending[0] = count;
  }

  /**
   * Queues bytes slab[offset, offset + length) for peer `peer`: sent at the end of the current
   * batch, or by `flush()` outside one. Flushes first when the descriptors are full.
   */
  queue(offset: number, length: number, peer: number): void {
    if (this.socket.isClosed) return;
    if (this.pending === this.socket.txCapacity) this.flush();
    const j = this.pending++;
    this.socket.txOffset[j] = offset;
    this.socket.txLength[j] = length;
    this.socket.txPeer[j] = peer;
  }

  /** Sends what `queue` holds now. */
  flush(): void {
    const count = this.pending;
    this.pending = 0;
    if (count > 0 && !this.socket.isClosed) this.socket.flush(count);
  }

  /** One datagram now, to `addr` or the last source heard (werift's semantics). */
  send(data: Buffer, addr?: TransportAddress): Promise<void> {
    const to = addr ?? this.last;
    if (to && !this.socket.isClosed) this.socket.sendTo(data, to[0], to[1]);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.socket.close();
    return Promise.resolve();
  }

  /**
   * The batch: what lanes forwarded first (their records point into send slots that a flush for
   * another packet of the batch could reuse), then the rest in order. What is queued leaves
   * after the call (the native side reads txPending).
   */
  private receive(socket: NativeUdpSocket, count: number): number {
    const lane = this.lane;
    if (lane) {
      for (let i = 0; i < count; i++) if (socket.rxKind[i] === DatagramKind.lane) lane(socket, i);
    }
    for (let i = 0; i < count; i++) {
      const kind = socket.rxKind[i] ?? DatagramKind.dropped;
      if (kind === DatagramKind.dropped || kind === DatagramKind.lane || kind === DatagramKind.booked) continue;
      if ((kind === DatagramKind.rtp || kind === DatagramKind.rtcp) && this.media?.(socket, i, kind)) continue;
      const source = socket.source(i);
      this.last = source;
      this.onData(socket.copyDatagram(i), source);
    }
    return 0;
  }
}
