/**
 * Wires our RTP fast path (rtp/RtpFastPath.ts) to a werift transport whose DTLS just connected:
 * the negotiated SRTP profile and keys, the nominated socket, the SSRCs, payload types and
 * extension ids of each m-line, the receive chain (our NACK generator in place of werift's, our
 * transport-cc feedback), and the peer's RTCP as werift decrypts it. Reaches into werift 0.24.4
 * internals, each named where used; PeerSession is its only caller.
 */
import type { Socket } from 'node:dgram';
import { SrtpAuthenticationError, StunProtocol, type RTCDtlsTransport, type RTCRtpTransceiver } from 'werift';
import type { MediaKind } from '../types/media.js';
import { OutboundStream, type RtpProtector, type SendRoute } from '../rtp/OutboundStream.js';
import { RtpFastPath, type FastPathSink, type InboundRoute, type RtpUnprotector } from '../rtp/RtpFastPath.js';
import { isMediaCodec } from '../rtp/codecs.js';
import { SrtpContext, srtpSaltLength, type SrtpProfile } from '../rtp/SrtpContext.js';
import { NativeSrtp } from '../rtp/NativeSrtp.js';
import { DatagramKind, WireCell, type MediaHandler, type NativeSrtpSession } from '@kurento-ts/native';
import { SocketLanes } from './forwardingLanes.js';
import type { SrtpKeyingInternals } from './weriftPatches.js';
import type { LaneScope, LaneSink } from '../rtp/lanes.js';
import { nativeMediaPath, nativeTransports } from './nativeSockets.js';
import { NativeWire } from './nativeWire.js';
import { nackStage, transportCcStage, type ReceiveStage } from '../rtp/stages.js';
import { TWCC_URI, type TwccFeedback } from '../rtp/TwccFeedback.js';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
/** werift's DTLS-SRTP profile numbers (RFC 5764 §4.1.2 and RFC 7714 §14.2). */
const PROFILES: Record<number, SrtpProfile> = { 1: 'AES_CM_128_HMAC_SHA1_80', 7: 'AEAD_AES_128_GCM' };

/** werift internals this module reads (private in its typings). */
interface SenderInternals {
  mid?: string;
  cname?: string;
  headerExtensions: { id: number; uri: string }[];
}
interface ReceiverInternals {
  nack: { addPacket(packet: unknown): void };
}
interface UdpTransportInternals {
  socket?: Socket;
  closed?: boolean;
}

/** Starts the fast path on a connected DTLS transport; undefined when its SRTP is not one we know. */
export function startFastPath(
  dtls: RTCDtlsTransport,
  transceivers: Partial<Record<MediaKind, RTCRtpTransceiver>>,
  direction: 'sendrecv' | 'sendonly' | 'recvonly',
  sink: FastPathSink,
  /** How forwarded packets map onto each stream we send, as the graph set it so far. */
  routes: Partial<Record<MediaKind, SendRoute>>,
  /** The transport's transport-cc feedback generator. */
  twcc: TwccFeedback,
  /** The forwarding lanes a change of this transport or its streams stops (its pipeline's). */
  lanes: LaneScope,
  /** Counts what the fast path sends on the socket itself (werift's ICE counters do not see it). */
  wire?: WireCounters,
): RtpFastPath | undefined {
  const socket = dtls.dtls as unknown as SrtpKeyingInternals | undefined;
  const profile = PROFILES[socket?.srtp.srtpProfile ?? -1];
  if (!socket || !profile) return undefined;
  const keys = socket.extractSessionKeys(16, srtpSaltLength(profile));
  const path = nativeMediaPath() ? nativeSrtp(dtls, profile, keys, wire, lanes) : typescriptSrtp(dtls, profile, keys, wire);
  const srtpIn = path.srtpIn;

  // Packets werift's own path still decrypts (relayed media, RTX, RED) use our context too, so
  // each SSRC has one rollover counter and one replay window whichever path it takes.
  (dtls.srtp as unknown as { decrypt(data: Buffer): Buffer }).decrypt = (data) => {
    const end = srtpIn.unprotect(data);
    if (end < 0) throw new SrtpAuthenticationError('SRTP packet refused');
    return data.subarray(0, end);
  };

  const all = [transceivers.audio, transceivers.video].filter((t): t is RTCRtpTransceiver => t !== undefined);
  const transportCcId = all.flatMap((t) => t.headerExtensions).find((e) => e.uri === TWCC_URI)?.id ?? 0;
  const stages: ReceiveStage[] = [nackStage];
  if (transportCcId > 0) stages.push(transportCcStage(twcc, transportCcId));
  const fastPath = new RtpFastPath(srtpIn, sink, stages, lanes);
  fastPath.onClose(path.close);
  const outbound: Partial<Record<MediaKind, OutboundStream>> = {};
  // The peer's RTCP, once decrypted (by werift's SRTCP context, or the native session in its
  // place), is read by our own reader (keyframe requests, NACKs, reports); werift goes on
  // parsing it for its own bookkeeping.
  const srtcpIn = (dtls as unknown as { srtcp: { decrypt(data: Buffer): Buffer } }).srtcp;
  const decrypt = path.decryptRtcp ?? srtcpIn.decrypt.bind(srtcpIn);
  srtcpIn.decrypt = (data) => {
    const plain = decrypt(data);
    try {
      fastPath.receiveRtcp(plain);
    } catch (e) {
      sink.failure(e);
    }
    return plain;
  };
  // Our RTCP skips werift's sendRtcp: no serialize-and-concat, no promise chain through ICE.
  const transmit = path.transmit;
  const encryptRtcp = path.encryptRtcp;
  fastPath.setRtcpTransmitter((packet) => transmit(encryptRtcp(packet)));
  if (path.native) {
    const socketLanes = receiveInSlabs(dtls, fastPath, sink, (srtpIn as NativeSrtp).nativeSession, wire);
    fastPath.onClose(() => socketLanes.forEach((l) => l.close()));
    const out = path.protector as NativeWire;
    fastPath.setLaneOut((kind, ssrc, pt) => laneSink(outbound[kind], out, ssrc, pt, wire));
  }

  for (const kind of ['audio', 'video'] as const) {
    const transceiver = transceivers[kind];
    if (!transceiver) continue;
    for (const track of transceiver.receiver.tracks) {
      if (track.ssrc !== undefined) fastPath.addInbound(track.ssrc, inboundRoute(transceiver, kind));
    }
    transceiver.onTrack.subscribe((track) => {
      if (track.ssrc !== undefined) fastPath.addInbound(track.ssrc, inboundRoute(transceiver, kind));
    });
    const sender = transceiver.sender;
    const codec = sender.codec;
    if (direction === 'recvonly' || !codec) continue;
    const internals = sender as unknown as SenderInternals;
    const midId = internals.headerExtensions.find((e) => e.uri === MID_URI)?.id ?? 0;
    const mid = internals.mid ?? transceiver.mid ?? undefined;
    const stream = new OutboundStream(
      {
        ssrc: sender.ssrc,
        clockRate: codec.clockRate,
        mid: mid !== undefined && midId > 0 ? { id: midId, value: mid } : undefined,
        retransmissions: codec.rtcpFeedback.some((f) => f.type === 'nack' && !f.parameter),
        lanes,
      },
      path.protector,
      transmit,
      () => sink.keyframeNeeded(),
    );
    stream.route(routes[kind]);
    fastPath.setOutbound(kind, stream);
    outbound[kind] = stream;
  }
  return fastPath;
}

/** Media payload types negotiated on a transceiver's m-line. */
function mediaPayloadTypes(transceiver: RTCRtpTransceiver): number[] {
  return transceiver.codecs.filter(isMediaCodec).map((c) => c.payloadType);
}

function inboundRoute(transceiver: RTCRtpTransceiver, kind: MediaKind): InboundRoute {
  const codec = transceiver.codecs.find(isMediaCodec);
  const route: InboundRoute = { kind, clockRate: codec?.clockRate ?? (kind === 'audio' ? 48000 : 90000), payloadTypes: mediaPayloadTypes(transceiver) };
  const receiver = transceiver.receiver;
  if (kind === 'video' && receiver.nackEnabled) {
    // Our NACK generator replaces werift's (rtp/NackGenerator.ts says why); werift's is fed
    // nothing, so its 5 ms retry loop never starts for packets it still sees (RTX, RED).
    (receiver as unknown as ReceiverInternals).nack.addPacket = () => undefined;
    route.nack = { senderSsrc: receiver.rtcpSsrc };
  }
  return route;
}

/** A transport's packets and bytes each way on the fast path, in a ledger a forwarding lane books in C. */
export class WireCounters {
  readonly cells = new Float64Array(WireCell.size);
  get bytesSent(): number {
    return this.cells[WireCell.bytesSent] ?? 0;
  }
  set bytesSent(value: number) {
    this.cells[WireCell.bytesSent] = value;
  }
  get packetsSent(): number {
    return this.cells[WireCell.packetsSent] ?? 0;
  }
  set packetsSent(value: number) {
    this.cells[WireCell.packetsSent] = value;
  }
  get bytesReceived(): number {
    return this.cells[WireCell.bytesReceived] ?? 0;
  }
  set bytesReceived(value: number) {
    this.cells[WireCell.bytesReceived] = value;
  }
  get packetsReceived(): number {
    return this.cells[WireCell.packetsReceived] ?? 0;
  }
  set packetsReceived(value: number) {
    this.cells[WireCell.packetsReceived] = value;
  }
}

/** Sends a protected packet on the nominated pair: straight to its UDP socket when it has one. */
function transmitter(dtls: RTCDtlsTransport, wire: WireCounters | undefined): (packet: Buffer) => void {
  const connection = dtls.iceTransport.connection;
  let pair: typeof connection.nominated;
  let socket: Socket | undefined;
  let udp: UdpTransportInternals | undefined;
  let host = '';
  let port = 0;
  return (packet) => {
    const nominated = connection.nominated;
    if (!nominated) return;
    if (nominated !== pair) {
      pair = nominated;
      const protocol = nominated.protocol;
      udp = protocol instanceof StunProtocol ? (protocol.transport as unknown as UdpTransportInternals) : undefined;
      socket = udp?.socket;
      [host, port] = nominated.remoteAddr;
    }
    if (socket && udp && !udp.closed) {
      if (wire) {
        wire.bytesSent += packet.length;
        wire.packetsSent++;
      }
      try {
        socket.send(packet, port, host);
      } catch {
        // socket closing under us: the transport is going away
      }
    } else if (!socket) {
      connection.send(packet).catch(() => undefined); // TURN relay: werift's path
    }
  };
}

/** The SRTP contexts and the wire of one transport's fast path. */
interface SrtpPath {
  native: boolean;
  srtpIn: RtpUnprotector;
  /** Protects what OutboundStream sends, and `transmit` sends it. */
  protector: RtpProtector;
  transmit: (packet: Buffer) => void;
  /** Protects our RTCP. */
  encryptRtcp: (packet: Buffer) => Buffer;
  /** Unprotects the peer's RTCP in werift's place; undefined: werift's SRTCP context does. */
  decryptRtcp: ((data: Buffer) => Buffer) | undefined;
  close: () => void;
}

type SessionKeys = ReturnType<SrtpKeyingInternals['extractSessionKeys']>;

/** Today's TypeScript path: our SrtpContext for RTP, werift's SRTCP contexts, node:dgram sends. */
function typescriptSrtp(dtls: RTCDtlsTransport, profile: SrtpProfile, keys: SessionKeys, wire: WireCounters | undefined): SrtpPath {
  // Our RTCP is protected by werift's SRTCP context: its own RTCP (e.g. PLIs) shares the index space.
  const srtcp = (dtls as unknown as { srtcp: { encrypt(packet: Buffer): Buffer } }).srtcp;
  return {
    native: false,
    srtpIn: new SrtpContext(profile, keys.remoteKey, keys.remoteSalt),
    protector: new SrtpContext(profile, keys.localKey, keys.localSalt),
    transmit: transmitter(dtls, wire),
    encryptRtcp: (packet) => srtcp.encrypt(packet),
    decryptRtcp: undefined,
    close: () => undefined,
  };
}

/**
 * The addon's path: NativeSrtpSession each way for SRTP and SRTCP (werift's SRTCP contexts are
 * replaced, so werift's own RTCP shares our index space), sends protected in the native socket's
 * send slots and batched.
 */
function nativeSrtp(dtls: RTCDtlsTransport, profile: SrtpProfile, keys: SessionKeys, wire: WireCounters | undefined, lanes: LaneScope): SrtpPath {
  const srtpIn = new NativeSrtp(profile, keys.remoteKey, keys.remoteSalt);
  const srtpOut = new NativeSrtp(profile, keys.localKey, keys.localSalt);
  const out = new NativeWire(dtls.iceTransport.connection, srtpOut, wire, lanes);
  const srtcp = (dtls as unknown as { srtcp: { encrypt(packet: Buffer): Buffer } }).srtcp;
  srtcp.encrypt = (packet) => srtpOut.protectRtcp(packet);
  return {
    native: true,
    srtpIn,
    protector: out,
    transmit: out.transmit,
    encryptRtcp: (packet) => srtpOut.protectRtcp(packet),
    decryptRtcp: (data) => {
      const plain = srtpIn.unprotectRtcp(data);
      if (!plain) throw new SrtpAuthenticationError('SRTCP packet refused');
      return plain;
    },
    close: () => {
      srtpIn.close();
      srtpOut.close();
    },
  };
}

/** How a lane sends as `stream` on `wire`, when the stream would send the next packet of `ssrc` as it sent the last. */
function laneSink(stream: OutboundStream | undefined, wire: NativeWire, ssrc: number, pt: number, counters: WireCounters | undefined): LaneSink | undefined {
  const header = stream?.laneHeader(ssrc, pt);
  const destination = header && wire.laneTarget();
  if (!stream || !header || !destination) return undefined;
  return {
    target: { ...destination, ...header },
    books() {
      const ledgers = stream.laneLedgers();
      return ledgers && { ...ledgers, wire: counters?.cells, flow: undefined };
    },
    sent(out, payloadLength, plain, headerLength, nowMs) {
      if (counters) {
        counters.bytesSent += out.length;
        counters.packetsSent++;
      }
      stream.laneSent(out, payloadLength, plain, headerLength, nowMs);
    },
  };
}

/**
 * RTP from validated peers is taken in the native sockets' receive slabs: unprotected in place
 * and handed on as a view (valid only during the call, as everywhere in the graph), or forwarded
 * by a lane in C and only booked here. What the fast path declines (an SSRC it does not route,
 * RTX, RED) and all RTCP go on to werift as copies.
 */
function receiveInSlabs(dtls: RTCDtlsTransport, fastPath: RtpFastPath, sink: FastPathSink, srtpIn: NativeSrtpSession, wire: WireCounters | undefined): SocketLanes[] {
  const lanes: SocketLanes[] = [];
  for (const transport of nativeTransports(dtls.iceTransport.connection)) {
    const socketLanes = new SocketLanes(transport.socket, fastPath, srtpIn, (kind, ssrc, pt) => sink.laneRoute?.(kind, ssrc, pt), wire, fastPath.lanes);
    lanes.push(socketLanes);
    const media: MediaHandler = (socket, slot, kind) => {
      if (kind !== DatagramKind.rtp) return false;
      const offset = socket.rxOffset(slot);
      const length = socket.rxLength[slot] ?? 0;
      const packet = socket.slab.subarray(offset, offset + length);
      if (!fastPath.receive(packet)) return false;
      if (wire) {
        wire.packetsReceived++;
        wire.bytesReceived += length;
      }
      socketLanes.afterPacket(packet);
      return true;
    };
    transport.media = media;
    transport.lane = (_socket, slot) => socketLanes.book(slot);
  }
  return lanes;
}
