/**
 * The DTLS-SRTP handshake in the addon's OpenSSL (@kurento-ts/native's NativeDtlsSession) in
 * place of werift's, which runs in JavaScript: several milliseconds of the event loop per call
 * set up (record layer, handshake messages, ECDHE, the certificate in ASN.1), most of the
 * server's set-up cost after SDP. werift keeps everything around it: RTCDtlsTransport's states
 * and events, its fingerprint check against the SDP, its SRTP start (fastPathBinding.ts takes
 * the keys from here), SCTP over `send` and `onData`. Reaches into werift 0.24.4's
 * RTCDtlsTransport.start, replayed step for step; PeerSession installs it when the addon loads.
 */
import { Event, type IceConnection, type RTCDtlsTransport } from 'werift';
import { NativeDtlsContext, NativeDtlsSession, type DtlsStep } from '@kurento-ts/native';
import { keep } from './dtlsCertificate.js';

/** `KURENTO_NATIVE_DTLS=0` (or false, off, no) keeps werift's handshake with the addon loaded (to compare). */
export const NATIVE_DTLS_ENV = 'KURENTO_NATIVE_DTLS';
export const nativeDtlsWanted = !['0', 'false', 'off', 'no'].includes(process.env[NATIVE_DTLS_ENV]?.trim().toLowerCase() ?? '');

/** What werift's DTLS transport reads of its DtlsSocket, and what it calls. */
interface TransportInternals {
  state: string;
  role: 'auto' | 'server' | 'client';
  remoteParameters?: { fingerprints: unknown[] };
  srtpProfiles: number[];
  localCertificate?: { certPem: string; privateKey: string };
  dtls?: unknown;
  dataReceiver: (data: Buffer) => void;
  iceTransport: { role: string; connection: IceConnection };
  setState(state: string): void;
  verifyRemoteCertificateFingerprint(): void;
  startSrtp(): void;
}

/** DTLS 1.2 as werift's getStats reads a version. */
const DTLS_1_2 = { major: 254, minor: 253 };

/** RFC 7983: DTLS records start with 20..63. */
const isDtls = (data: Buffer) => data.length > 0 && (data[0] ?? 0) > 19 && (data[0] ?? 0) < 64;

/** Contexts by certificate and profiles: the server has one certificate (a few tolerated). */
const contexts = new Map<string, NativeDtlsContext>();

function contextFor(certPem: string, keyPem: string, profiles: readonly number[]): NativeDtlsContext {
  const key = `${profiles.join(',')}\n${certPem}\n${keyPem}`;
  return contexts.get(key) ?? keep(contexts, key, new NativeDtlsContext(certPem, keyPem, profiles));
}

/** werift's DtlsSocket surface over a NativeDtlsSession, carried on the ICE connection. */
export class NativeDtlsSocket {
  readonly onConnect = new Event<[]>();
  readonly onData = new Event<[Buffer]>();
  readonly onError = new Event<[Error]>();
  readonly onClose = new Event<[]>();
  /** Read by werift and fastPathBinding once connected. */
  readonly srtp: { srtpProfile?: number } = {};
  remoteCertificate: Buffer | undefined;
  /** What werift's getStats reads (cipher name, version); `flight` is endDtlsRetransmissions' (werift's loop, none here). */
  readonly cipher: { cipher?: { name?: string } } = {};
  readonly dtls = { version: DTLS_1_2, flight: 0 };
  private connected = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: { unSubscribe(): void };

  constructor(
    private readonly session: NativeDtlsSession,
    private readonly connection: IceConnection,
  ) {
    this.subscription = connection.onData.subscribe((data) => {
      if (!this.ended && isDtls(data)) this.handle(this.session.receive(data));
    });
  }

  /** The client's first flight; a server waits for the peer's. */
  start(): void {
    this.handle(this.session.start());
  }

  /** Application data (SCTP) for the peer. */
  send = async (data: Buffer): Promise<void> => {
    if (!this.connected || this.ended) throw new Error('dtls not established');
    this.handle(this.session.write(data));
  };

  /** werift's SRTP keys: exported with the DTLS-SRTP label, ours first as werift orders them. */
  extractSessionKeys(keyLength: number, saltLength: number): { localKey: Buffer; localSalt: Buffer; remoteKey: Buffer; remoteSalt: Buffer } {
    const material = this.session.exportSrtpKeyingMaterial(2 * (keyLength + saltLength));
    const clientKey = material.subarray(0, keyLength);
    const serverKey = material.subarray(keyLength, 2 * keyLength);
    const clientSalt = material.subarray(2 * keyLength, 2 * keyLength + saltLength);
    const serverSalt = material.subarray(2 * keyLength + saltLength);
    return this.session.role === 'client'
      ? { localKey: clientKey, localSalt: clientSalt, remoteKey: serverKey, remoteSalt: serverSalt }
      : { localKey: serverKey, localSalt: serverSalt, remoteKey: clientKey, remoteSalt: clientSalt };
  }

  /** werift's close(): the session ends and so does the ICE connection under it. */
  close(): void {
    this.end();
    this.connection.close().catch(() => undefined);
  }

  /** Ends the session: a close_notify to the peer when it was connected, the timer stopped, OpenSSL's state freed. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.subscription.unSubscribe();
    for (const datagram of this.session.close().send) this.connection.send(datagram).catch(() => undefined);
  }

  private handle(step: DtlsStep): void {
    for (const datagram of step.send) this.connection.send(datagram).catch(() => undefined);
    if (step.state === 'connected' && !this.connected) {
      this.connected = true;
      const info = this.session.info();
      this.srtp.srtpProfile = info.srtpProfile > 0 ? info.srtpProfile : undefined;
      this.remoteCertificate = info.peerCertificate;
      this.cipher.cipher = { name: info.cipher };
      this.onConnect.execute();
    }
    for (const data of step.data) this.onData.execute(data);
    if (step.state === 'failed') {
      this.end();
      this.onError.execute(new Error(`DTLS: ${step.error ?? 'handshake failed'}`));
      return;
    }
    if (step.state === 'closed') {
      this.end();
      this.onClose.execute();
      return;
    }
    this.schedule();
  }

  /** The retransmission timer, while the handshake runs. */
  private schedule(): void {
    clearTimeout(this.timer);
    const ms = this.ended ? undefined : this.session.nextTimeoutMs();
    if (ms === undefined) return;
    this.timer = setTimeout(() => {
      if (!this.ended) this.handle(this.session.timeout());
    }, ms);
  }
}

/** Transports already switched to the native handshake. */
const switched = new WeakSet<RTCDtlsTransport>();

/**
 * Replaces werift's RTCDtlsTransport.start with the same steps around the native handshake:
 * the state checks, the role from ICE (controlling: server), connecting, the handshake (at once:
 * werift's client sleeps 100 ms first), the fingerprint check, SRTP, connected. Data the peer
 * sends reaches werift's dataReceiver (SCTP); a close_notify closes the transport; the session
 * ends when the transport closes.
 */
export function handshakeNatively(transport: RTCDtlsTransport): void {
  if (switched.has(transport)) return;
  switched.add(transport);
  const t = transport as unknown as TransportInternals;
  transport.onStateChange.subscribe((state) => {
    if (state === 'closed' && t.dtls instanceof NativeDtlsSocket) t.dtls.end();
  });
  transport.start = async () => {
    if (t.state !== 'new') throw new Error('state must be new');
    if (!t.remoteParameters || t.remoteParameters.fingerprints.length === 0) throw new Error('remote fingerprint not exist');
    const certificate = t.localCertificate;
    if (!certificate) throw new Error('no local certificate');
    if (t.role === 'auto') t.role = t.iceTransport.role === 'controlling' ? 'server' : 'client';
    t.setState('connecting');
    const session = new NativeDtlsSession(contextFor(certificate.certPem, certificate.privateKey, t.srtpProfiles), t.role === 'server' ? 'server' : 'client');
    const socket = new NativeDtlsSocket(session, t.iceTransport.connection);
    t.dtls = socket;
    socket.onData.subscribe((data) => t.dataReceiver(data));
    socket.onClose.subscribe(() => {
      if (t.state !== 'failed') t.setState('closed');
    });
    await new Promise<void>((resolve, reject) => {
      socket.onConnect.once(() => resolve());
      socket.onError.once((error) => {
        t.setState('failed');
        reject(error);
      });
      socket.start();
    });
    try {
      t.verifyRemoteCertificateFingerprint();
    } catch (error) {
      t.setState('failed');
      socket.close();
      throw error;
    }
    if (t.srtpProfiles.length > 0) t.startSrtp();
    t.setState('connected');
  };
}
