/**
 * Small corrections to werift 0.24.4's ICE and DTLS transports, applied by PeerSession.
 * Each names the werift behaviour it undoes; the leak and hardening tests cover them.
 */
import { Connection, DtlsClient, type IceConnection, type RTCDtlsTransport } from 'werift';

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

/** Transports already patched by startDtlsAtOnce. */
const startingAtOnce = new WeakSet<RTCDtlsTransport>();

/**
 * werift's DTLS client waits 100 ms (a fixed sleep in RTCDtlsTransport.start) before its
 * ClientHello: a tenth of a second on every call's setup. start() runs once ICE has a nominated
 * pair, which the controlling peer only nominates with our description in hand, so it is ready for
 * the handshake (and flights are retransmitted anyway). Send the first flight at once; werift's
 * own connect() 100 ms later gets the same handshake instead of starting another.
 */
export function startDtlsAtOnce(transport: RTCDtlsTransport): void {
  if (startingAtOnce.has(transport)) return;
  startingAtOnce.add(transport);
  const start = transport.start.bind(transport);
  transport.start = () => {
    const started = start();
    // start() has made its DtlsClient (or DtlsServer) before its first await.
    const client = transport.dtls;
    if (client instanceof DtlsClient) {
      const connect = client.connect.bind(client);
      let handshake: Promise<void> | undefined;
      client.connect = () => (handshake ??= connect());
      // A failure reaches werift through its own call, which gets this same promise.
      client.connect().catch(() => undefined);
    }
    return started;
  };
}
