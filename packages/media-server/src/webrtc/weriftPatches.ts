/**
 * Small corrections to werift 0.24.4's ICE and DTLS transports, applied by PeerSession.
 * Each names the werift behaviour it undoes; the leak and hardening tests cover them.
 */
import { Connection, type IceConnection, type RTCDtlsTransport } from 'werift';

/**
 * werift falls back to stun.l.google.com when no STUN server is set: a DNS lookup and a request
 * to Google per endpoint, which hangs where DNS does not answer. Kurento has no default server.
 */
export function withoutDefaultStun(connection: IceConnection): void {
  if (connection instanceof Connection) connection.stunServer = undefined;
}

/** The handshake flight werift's retransmission loop waits for, on its DTLS context. */
const PAST_EVERY_FLIGHT = 99;

/**
 * A DTLS handshake cut short by close() keeps retransmitting its last flight into the closed
 * transport for up to 33 s (werift's Flight.transmit has no cancel). Marking the handshake as
 * past every flight ends that loop at its next wake-up.
 */
export function endDtlsRetransmissions(transport: RTCDtlsTransport): void {
  if (transport.dtls) transport.dtls.dtls.flight = PAST_EVERY_FLIGHT;
}

/** werift's private gatherer: opens a socket per address and makes its host candidate. */
interface GatherInternals {
  getCandidatePromises(addresses: string[], timeout?: number): Promise<unknown>[];
}

/**
 * With chosen addresses werift still gathers every address of the machine when none of them is
 * a non-loopback one, and binds those sockets to the chosen address: an extra socket per
 * endpoint, and a selected pair that can name an address never announced. Gather only these.
 */
export function gatherOnly(connection: IceConnection, addresses: readonly string[]): void {
  const gatherer = connection as unknown as GatherInternals;
  const gather = gatherer.getCandidatePromises.bind(connection);
  gatherer.getCandidatePromises = (found, timeout) => gather(found.filter((a) => addresses.includes(a)), timeout);
}
