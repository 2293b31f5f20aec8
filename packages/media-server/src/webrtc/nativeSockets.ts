/**
 * ICE host candidates on native sockets (@kurento-ts/native's NativeUdpTransport) instead of
 * werift's dgram ones, when the addon is there: werift's StunProtocol keeps running ICE in JS on
 * them (STUN and DTLS reach its datagramReceived as copies, RFC 7983's demux done in C), and
 * once DTLS is up the fast path takes RTP in the socket's slab (fastPathBinding.ts). Sources
 * other than the peers ICE validated (iceSourceGuard.ts calls `trust`) get only STUN through;
 * the rest is dropped in C. Reaches into werift 0.24.4's gatherer, as the bench's load client does.
 */
import { isIPv4 } from 'node:net';
import { nativeStatus, NativeUdpTransport } from '@kurento-ts/native';
import { StunProtocol, type IceConnection, type Protocol } from 'werift';
import type { IceOptions } from './peerConfig.js';

/** werift internals used here (private in its typings). */
interface ConnectionInternals {
  ensureProtocol(protocol: Protocol): void;
}
interface StunProtocolInternals {
  transport: unknown;
  connectionMade(useIpv4: boolean, portRange?: [number, number]): Promise<void>;
  datagramReceived(data: Buffer, addr: readonly [string, number]): void;
}

/**
 * Datagrams per receive batch (one recvmmsg, one call into JS), and send descriptors per socket
 * (a video frame is 5–10 packets). Media-only transports read 32 at once: measured with `npm run
 * bench` (N = 50, 100, 200, alternating runs), 10–35 % less CPU per packet than one at a time, and
 * at N = 200 a third of the echo latency (the loop no longer falls behind). A transport with data
 * channels reads one at a time: with larger batches werift's SCTP falls behind a flood relayed
 * between two endpoints (data-channels.test.ts "a page that stops reading": the relay's 1 MB
 * bound is reached and messages are dropped), measured with 4, 8 and 32 (5 runs of 5 failed),
 * with and without a turn of the loop per DTLS datagram.
 */
export const MEDIA_RECEIVE_BATCH = 32;
export const DATA_CHANNEL_RECEIVE_BATCH = 1;
const TX_CAPACITY = 64;

const patched = new WeakSet<IceConnection>();

/** Whether media runs on native sockets and SRTP (the addon built, and not KURENTO_NATIVE=0). */
export const nativeMediaPath = (): boolean => nativeStatus().native;

/** Which media path runs and, for the TypeScript one, why: the line the server logs at start. */
export const mediaPathReason = (): string => nativeStatus().reason;

/**
 * Makes the sockets `connection` opens for its host candidates native ones, bound as werift
 * binds (the first chosen address of the family, else any) within the port range, reading
 * `batch` datagrams at a time. Call before the local description is set (it opens them);
 * idempotent; does nothing without the addon.
 */
export function gatherOnNativeSockets(connection: IceConnection, ice: IceOptions, batch: number): void {
  if (!nativeMediaPath() || patched.has(connection)) return;
  patched.add(connection);
  const internals = connection as unknown as ConnectionInternals;
  const ensure = internals.ensureProtocol.bind(connection);
  internals.ensureProtocol = (protocol) => {
    ensure(protocol);
    if (!(protocol instanceof StunProtocol)) return;
    const stun = protocol as unknown as StunProtocolInternals;
    stun.connectionMade = async (useIpv4, portRange) => {
      const transport = new NativeUdpTransport({ address: bindAddress(ice, useIpv4), port: portRange ?? ice.portRange, batch, txCapacity: TX_CAPACITY });
      // Looked up per datagram: the source guard wraps datagramReceived.
      transport.onData = (data, addr) => stun.datagramReceived(data, addr);
      stun.transport = transport;
    };
  };
}

/** The native transports among a connection's sockets. */
export function nativeTransports(connection: IceConnection): NativeUdpTransport[] {
  const protocols = (connection as unknown as { protocols?: readonly Protocol[] }).protocols ?? [];
  return protocols.flatMap((p) => {
    const transport = p instanceof StunProtocol ? (p as unknown as StunProtocolInternals).transport : undefined;
    return transport instanceof NativeUdpTransport ? [transport] : [];
  });
}

/** What werift's UdpTransport binds: the first chosen address of the family, else every address. */
function bindAddress(ice: IceOptions, ipv4: boolean): string {
  const chosen = ice.networkInterfaces.find((a) => isIPv4(a) === ipv4);
  return chosen ?? (ipv4 ? '0.0.0.0' : '::');
}
