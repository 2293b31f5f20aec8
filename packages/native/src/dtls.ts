/**
 * A DTLS-SRTP endpoint (RFC 5764) in the addon's OpenSSL, without a socket: datagrams in through
 * `receive`, the ones to send out of each call, a timer from `nextTimeoutMs` for retransmissions.
 * The peer's certificate is accepted as presented: check its fingerprint against the SDP.
 */
import { requireNative, type RawDtlsContext, type RawDtlsSession, type RawDtlsStep } from './binding.js';

/** Where a session stands. */
export type DtlsState = 'handshaking' | 'connected' | 'closed' | 'failed';
const STATES: readonly DtlsState[] = ['handshaking', 'connected', 'closed', 'failed'];

/** What one call produced. */
export interface DtlsStep {
  /** Datagrams for the peer, in order. */
  readonly send: readonly Buffer[];
  /** Application data the peer sent (SCTP for data channels), one record each. */
  readonly data: readonly Buffer[];
  readonly state: DtlsState;
  /** Why the session failed (OpenSSL's words), when it did. */
  readonly error: string | undefined;
}

/** The negotiated session, once connected. */
export interface DtlsSessionInfo {
  /** RFC 5764's SRTP protection profile id (1 AES_CM_128_HMAC_SHA1_80, 7 AEAD_AES_128_GCM), 0 for none. */
  readonly srtpProfile: number;
  /** The peer's certificate, DER. */
  readonly peerCertificate: Buffer | undefined;
  readonly cipher: string | undefined;
  readonly version: string | undefined;
}

/** DTLS-SRTP protection profiles by RFC 5764's ids, as OpenSSL names them. */
const SRTP_PROFILE_NAMES: Readonly<Record<number, string>> = { 1: 'SRTP_AES128_CM_SHA1_80', 2: 'SRTP_AES128_CM_SHA1_32', 7: 'SRTP_AEAD_AES_128_GCM', 8: 'SRTP_AEAD_AES_256_GCM' };

/** Our certificate and key and the SRTP profiles we offer, loaded once and shared by every session that presents them. */
export class NativeDtlsContext {
  /** @internal */
  readonly raw: RawDtlsContext;

  /** `srtpProfiles`: RFC 5764 ids in order of preference (default AEAD_AES_128_GCM, then AES_CM_128_HMAC_SHA1_80); empty for no DTLS-SRTP. */
  constructor(certificatePem: string, privateKeyPem: string, srtpProfiles: readonly number[] = [7, 1]) {
    const names = srtpProfiles.map((id) => {
      const name = SRTP_PROFILE_NAMES[id];
      if (!name) throw new RangeError(`unknown DTLS-SRTP profile ${id}`);
      return name;
    });
    this.raw = new (requireNative().DtlsContext)(Buffer.from(certificatePem), Buffer.from(privateKeyPem), names.join(':'));
  }
}

/** The DTLS-SRTP link MTU: a flight is cut in datagrams no larger. */
export const DTLS_MTU = 1200;

export class NativeDtlsSession {
  private readonly raw: RawDtlsSession;

  constructor(context: NativeDtlsContext, readonly role: 'client' | 'server', mtu = DTLS_MTU) {
    this.raw = new (requireNative().DtlsSession)(context.raw, role === 'server', mtu);
  }

  /** Begins: the client's ClientHello (a server sends nothing until the peer's). */
  start(): DtlsStep {
    return step(this.raw.start());
  }

  /** One DTLS datagram from the peer. */
  receive(datagram: Uint8Array): DtlsStep {
    return step(this.raw.receive(datagram));
  }

  /** The retransmission timer fired. */
  timeout(): DtlsStep {
    return step(this.raw.timeout());
  }

  /** Milliseconds until `timeout()` is due, or undefined when no timer is needed. */
  nextTimeoutMs(): number | undefined {
    const ms = this.raw.nextTimeoutMs();
    return ms < 0 ? undefined : ms;
  }

  /** Application data for the peer (connected only): the datagrams to send. */
  write(data: Uint8Array): DtlsStep {
    return step(this.raw.write(data));
  }

  info(): DtlsSessionInfo {
    const info = this.raw.info();
    return { srtpProfile: info.srtpProfile, peerCertificate: info.peerCertificate, cipher: info.cipher, version: info.version };
  }

  /** RFC 5705 keying material with the DTLS-SRTP label: client key, server key, client salt, server salt. */
  exportSrtpKeyingMaterial(length: number): Buffer {
    return this.raw.exportKeyingMaterial(length);
  }

  /** Ends the session (a close_notify to send when it was connected) and frees it; idempotent. */
  close(): DtlsStep {
    return step(this.raw.close());
  }
}

function step([send, data, state, error]: RawDtlsStep): DtlsStep {
  return { send, data, state: STATES[state] ?? 'failed', error };
}
