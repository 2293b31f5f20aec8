/**
 * Small corrections to werift 0.24.4's ICE and DTLS transports, applied by PeerSession.
 * Each names the werift behaviour it undoes; the leak and hardening tests cover them.
 */
import { Connection, DtlsClient, SrtcpSession, SrtpSession, keyLength, parseMessage, saltLength, type IceConnection, type RTCDtlsTransport } from 'werift';
import { onEachStunSocket } from './stunSockets.js';

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

/** The parts of werift's SrtpSession and SrtcpSession its DTLS transport calls. */
interface SrtpSessionLike {
  encrypt(...args: Buffer[]): Buffer;
  decrypt(data: Buffer): Buffer;
}
type SrtpProfileId = Parameters<typeof keyLength>[0];
/** werift's DTLS socket, as its SRTP start and the fast path read it (private in its typings). */
export interface SrtpKeyingInternals {
  srtp: { srtpProfile?: SrtpProfileId };
  extractSessionKeys(keyLength: number, saltLength: number): { localKey: Buffer; localSalt: Buffer; remoteKey: Buffer; remoteSalt: Buffer };
}

/**
 * werift derives four SRTP/SRTCP contexts when DTLS connects (a cipher and an HMAC per key, about
 * a millisecond of the event loop per call being set up), and the fast path replaces every method
 * of theirs it uses (fastPathBinding.ts). Make each of werift's sessions on first use instead: the
 * native path never uses them, the TypeScript path uses its SRTCP session as before.
 */
export function deriveSrtpOnFirstUse(transport: RTCDtlsTransport): void {
  transport.updateSrtpSession = () => {
    const dtls = transport.dtls as unknown as SrtpKeyingInternals | undefined;
    const profile = dtls?.srtp.srtpProfile;
    if (!dtls || !profile) throw new Error('need srtpProfile'); // werift's own checks, eagerly
    let config: ConstructorParameters<typeof SrtpSession>[0] | undefined;
    const keyed = () => {
      if (!config) {
        const { localKey, localSalt, remoteKey, remoteSalt } = dtls.extractSessionKeys(keyLength(profile), saltLength(profile));
        config = { keys: { localMasterKey: localKey, localMasterSalt: localSalt, remoteMasterKey: remoteKey, remoteMasterSalt: remoteSalt }, profile };
      }
      return config;
    };
    const internals = transport as unknown as { srtp: SrtpSessionLike; srtcp: SrtpSessionLike };
    internals.srtp = onFirstUse(() => new SrtpSession(keyed()) as unknown as SrtpSessionLike);
    internals.srtcp = onFirstUse(() => new SrtcpSession(keyed()) as unknown as SrtpSessionLike);
  };
}

/** A session whose methods make the real one when first called; the fast path may replace them. */
function onFirstUse(make: () => SrtpSessionLike): SrtpSessionLike {
  let session: SrtpSessionLike | undefined;
  const real = () => (session ??= make());
  return {
    encrypt: (...args) => real().encrypt(...args),
    decrypt: (data) => real().decrypt(data),
  };
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

/** Connections already patched by connectWithoutTrailingSleep. */
const connectPatched = new WeakSet<IceConnection>();

/** werift's results in Connection.checkListState (module constants there). */
const ICE_COMPLETED = 1;
const ICE_FAILED = 2;
/** werift's pacing of ordinary checks in connect() (its Ta). */
const CHECK_INTERVAL_MS = 20;

/** The parts of werift's Connection that its connect() uses, private in its typings. */
interface ConnectInternals {
  localCandidatesStart: boolean;
  localCandidatesEnd: boolean;
  remoteUsername: string;
  remotePassword: string;
  remoteCandidates: unknown[];
  earlyChecks: unknown[][];
  earlyChecksDone: boolean;
  iceLite: boolean;
  checkList: { handle?: { resolve?: () => void } }[];
  checkListDone: boolean;
  checkListState: { put(result: Promise<number>): void; get(): Promise<number> };
  state: string;
  connect(): Promise<void>;
  pairRemoteCandidate(candidate: unknown): void;
  sortCheckList(): void;
  unfreezeInitial(): void;
  checkIncoming(...args: unknown[]): void;
  schedulingChecks(): boolean;
  queryConsent(): void;
  setState(state: string): void;
}

/**
 * werift's ICE connect() starts a check every 20 ms and sees that ICE is over (a pair nominated)
 * only when its 20 ms sleep ends: 11-15 ms (median, measured) between the nomination and the
 * start of DTLS. This is werift 0.24.4's connect() for a full (not lite) agent, line for line,
 * with the same pacing, except that the sleep also ends as soon as the check list completes.
 */
export function connectWithoutTrailingSleep(connection: IceConnection): void {
  if (connectPatched.has(connection)) return;
  connectPatched.add(connection);
  const c = connection as unknown as ConnectInternals;
  const original = c.connect.bind(connection);
  c.connect = async () => {
    if (c.iceLite) return original();
    if (!c.localCandidatesEnd && !c.localCandidatesStart) throw new Error('Local candidates gathering was not performed');
    if (!c.remoteUsername || !c.remotePassword) throw new Error('Remote username or password is missing');
    for (const candidate of c.remoteCandidates) c.pairRemoteCandidate(candidate);
    c.sortCheckList();
    c.unfreezeInitial();
    for (const check of c.earlyChecks) c.checkIncoming(...check);
    c.earlyChecks = [];
    c.earlyChecksDone = true;
    // werift puts each outcome in checkListState, then sets checkListDone when it is a completion.
    const results = c.checkListState;
    let wake: (() => void) | undefined;
    const put = results.put.bind(results);
    results.put = (result) => {
      put(result);
      queueMicrotask(() => c.checkListDone && wake?.());
    };
    const pace = () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => wake?.(), CHECK_INTERVAL_MS);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    try {
      while (c.state !== 'closed' && c.schedulingChecks()) await pace();
    } finally {
      results.put = put;
    }
    let result = ICE_FAILED;
    while (c.checkList.length > 0 && result === ICE_FAILED) result = await c.checkListState.get();
    for (const check of c.checkList) check.handle?.resolve?.();
    if (result !== ICE_COMPLETED) throw new Error('ICE negotiation failed');
    c.queryConsent();
    c.setState('connected');
  };
}

/** Connections already patched by failAsymmetricChecks. */
const asymmetricPatched = new WeakSet<IceConnection>();

/** werift's STUN transaction, as its protocol keeps it (private in its typings). */
interface TransactionInternals {
  expectedAddr: readonly [string, number];
  integrityKey?: Buffer;
  ended: boolean;
  failWithTimeout(): void;
}
interface StunProtocolInternals {
  transactions: Record<string, TransactionInternals | undefined>;
  datagramReceived(data: Buffer, addr: readonly [string, number]): void;
}

/** The class bits of a STUN message type (RFC 5389 §6), and those of a success response. */
const STUN_CLASS_MASK = 0x0110;
const STUN_SUCCESS_CLASS = 0x0100;

/**
 * RFC 8445 §7.2.5.2.1: a check whose response comes from another address than the one it was
 * sent to has failed. werift 0.24.4's transactions ignore such a response and retransmit until
 * their timeout (five requests, and five responses to parse and verify, over 1.5 s), so
 * its own rule that fails the pair is never reached. It happens wherever a socket bound to one
 * address checks a peer whose answers come back from another: a loopback-bound server and a
 * client on the same machine answering from 127.0.0.1 for its other addresses, on every call.
 * An authentic response (MESSAGE-INTEGRITY verified) from the wrong address fails its
 * transaction at once; werift then marks the pair failed, as for a check that timed out.
 */
export function failAsymmetricChecks(connection: IceConnection): void {
  if (asymmetricPatched.has(connection)) return;
  asymmetricPatched.add(connection);
  onEachStunSocket(connection, (protocol) => {
    const stun = protocol as unknown as StunProtocolInternals;
    const receive = stun.datagramReceived.bind(protocol);
    stun.datagramReceived = (data, addr) => {
      // A success response (first byte 0 or 1 keeps it STUN, RFC 7983) to one of ours, from elsewhere.
      if (data.length >= 20 && (data[0] ?? 0xff) < 2 && (data.readUInt16BE(0) & STUN_CLASS_MASK) === STUN_SUCCESS_CLASS) {
        const transaction = stun.transactions[data.toString('hex', 8, 20)];
        if (transaction && !transaction.ended && (transaction.expectedAddr[0] !== addr[0] || transaction.expectedAddr[1] !== addr[1])) {
          if (transaction.integrityKey && parseMessage(data, transaction.integrityKey)) transaction.failWithTimeout();
          return;
        }
      }
      receive(data, addr);
    };
  });
}
