/**
 * The send side of the native media path: packets are protected in the send slots of the
 * nominated pair's native socket and leave batched, one sendmmsg per socket at the end of the
 * turn (the receive batch that forwarded them, or the timer or promise that sent them).
 *
 * `protect` (OutboundStream's RtpProtector) reserves the next send slot, writes the rewritten
 * packet there and protects it in place; `transmit` of that same slice queues its descriptor,
 * anything else (RTCP, a retransmission from the ring) is copied into a slot first. A pair that is
 * not on a native socket (a TURN relay) takes werift's own path with the packet in a buffer.
 */
import { NativeUdpTransport, type NativeSrtpSession, type NativeUdpSocket } from '@kurento-ts/native';
import { StunProtocol, type IceConnection } from 'werift';
import type { RtpProtector } from '../rtp/OutboundStream.js';
import type { NativeSrtp } from '../rtp/NativeSrtp.js';
import type { LaneScope } from '../rtp/lanes.js';
import type { WireCounters } from './fastPathBinding.js';

/** Transports with queued descriptors, flushed once at the end of the turn. */
const pending = new Set<NativeUdpTransport>();
let flushScheduled = false;

function flushPending(): void {
  flushScheduled = false;
  for (const transport of pending) transport.flush();
  pending.clear();
}

/** Queues a descriptor and makes sure it leaves this turn (after the batch, as a microtask). */
function queueSend(transport: NativeUdpTransport, offset: number, length: number, peer: number): void {
  transport.queue(offset, length, peer);
  pending.add(transport);
  if (!flushScheduled) {
    flushScheduled = true;
    queueMicrotask(flushPending);
  }
}

/** The nominated pair's socket closed: the transport is going away, nothing is sent. */
const CLOSED = 'closed';

/** The nominated pair as the wire sees it. */
interface Target {
  transport: NativeUdpTransport;
  peer: number;
}

export class NativeWire implements RtpProtector {
  private pair: unknown;
  private target: Target | undefined;
  /** The slot `protect` wrote last, until `transmit` queues it (fields, not an object: no allocation per packet). */
  private reservedTransport: NativeUdpTransport | undefined;
  private reservedOffset = -1;
  private reservedLength = 0;

  constructor(
    private readonly connection: IceConnection,
    private readonly srtp: NativeSrtp,
    private readonly wire: WireCounters | undefined,
    /** The lanes that send on this wire, stopped when its pair changes. */
    private readonly lanes: LaneScope,
  ) {}

  /** RtpProtector: the packet protected in a send slot (a view of it), or in a buffer of its own off a native socket. */
  protect(header: Buffer, headerLength: number, payload: Buffer, payloadPrefix?: Buffer): Buffer {
    const target = this.follow();
    if (target === CLOSED) return Buffer.alloc(0);
    if (!target) return this.srtp.protect(header, headerLength, payload, payloadPrefix);
    const transport = target.transport;
    const slab = transport.socket.slab;
    const offset = transport.nextSendSlot();
    const room = transport.socket.stride;
    if (headerLength + (payloadPrefix?.length ?? 0) + payload.length + 16 > room) return this.srtp.protect(header, headerLength, payload, payloadPrefix);
    const length = this.srtp.protectInto(slab, offset, header, headerLength, payload, payloadPrefix);
    if (length < 0) return Buffer.alloc(0);
    this.reservedTransport = transport;
    this.reservedOffset = offset;
    this.reservedLength = length;
    return slab.subarray(offset, offset + length);
  }

  /** Sends a protected packet (RTP or SRTCP) on the nominated pair. */
  readonly transmit = (packet: Buffer): void => {
    if (packet.length === 0) return;
    const target = this.follow();
    const reservedTransport = this.reservedTransport;
    const reservedOffset = this.reservedOffset;
    this.reservedTransport = undefined;
    this.reservedOffset = -1;
    if (target === CLOSED) return;
    if (!target) {
      this.connection.send(packet).catch(() => undefined); // a relayed pair: werift's path
      return;
    }
    const { transport, peer } = target;
    if (this.wire) {
      this.wire.bytesSent += packet.length;
      this.wire.packetsSent++;
    }
    const slab = transport.socket.slab;
    if (reservedTransport === transport && packet.buffer === slab.buffer && packet.byteOffset === slab.byteOffset + reservedOffset) {
      queueSend(transport, reservedOffset, this.reservedLength, peer);
      return;
    }
    if (packet.length > transport.socket.stride) {
      transport.send(packet, this.pairAddress()).catch(() => undefined);
      return;
    }
    const offset = transport.nextSendSlot();
    packet.copy(slab, offset);
    queueSend(transport, offset, packet.length, peer);
  };

  /** Where a forwarding lane writes this wire's packets: the nominated pair's native socket and peer, and our SRTP session. */
  laneTarget(): { socket: NativeUdpSocket; peer: number; srtp: NativeSrtpSession } | undefined {
    const target = this.follow();
    if (!target || target === CLOSED) return undefined;
    return { socket: target.transport.socket, peer: target.peer, srtp: this.srtp.nativeSession };
  }

  /** The nominated pair's native socket and peer id, followed when the pair changes; undefined off a native socket, CLOSED once it closed. */
  private follow(): Target | typeof CLOSED | undefined {
    const nominated = this.connection.nominated;
    if (!nominated) return undefined;
    if (nominated !== this.pair) {
      if (this.pair !== undefined) this.lanes.invalidate(); // a lane may still send to the old pair
      this.pair = nominated;
      const protocol = nominated.protocol;
      const transport = protocol instanceof StunProtocol ? (protocol.transport as unknown) : undefined;
      const [host, port] = nominated.remoteAddr;
      this.target = transport instanceof NativeUdpTransport && !transport.closed ? { transport, peer: transport.trust([host, port]) } : undefined;
      if (transport instanceof NativeUdpTransport && transport.closed) return CLOSED;
    }
    const target = this.target;
    return target && target.transport.closed ? CLOSED : target;
  }

  private pairAddress(): [string, number] | undefined {
    const addr = this.connection.nominated?.remoteAddr;
    return addr ? [addr[0], addr[1]] : undefined;
  }
}
