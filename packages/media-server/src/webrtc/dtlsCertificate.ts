/** The server's DTLS certificate: made at start, parsed once. */
import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { CipherContext, RTCCertificate, RTCDtlsFingerprint, RTCDtlsTransport } from 'werift';

/**
 * werift makes its one certificate (ECDSA P-256, shared by every peer connection of the process)
 * lazily, inside the first createAnswer or createOffer: 20-200 ms (a WebCrypto key, an X.509
 * signature, their code loaded cold) added to the first call's setup. Kurento makes its
 * certificate when it starts; so do we.
 */
export async function prepareDtlsCertificate(): Promise<void> {
  await RTCDtlsTransport.SetupCertificate();
}

/** What werift re-derives from the same PEM texts on every call, kept by those texts. */
const parsedX509 = new Map<string, { cert: Buffer; key: CipherContext['localPrivateKey'] }>();
const signingKeys = new Map<string, KeyObject>();
const fingerprints = new WeakMap<RTCCertificate, { pem: string; list: RTCDtlsFingerprint[] }>();
/** The server has one certificate; a few more are tolerated, never an unbounded number. */
const MAX_KEPT = 4;
let installed = false;

/** Puts `value` in `map`, emptied first when it holds MAX_KEPT already (the server has one certificate). */
export function keep<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= MAX_KEPT) map.clear();
  map.set(key, value);
  return value;
}

/**
 * werift parses our own certificate and key again and again, in JavaScript, for every call: the
 * X.509 certificate and key of each DTLS socket (CipherContext.parseX509), the certificate again
 * for its fingerprint in every SDP (RTCCertificate.getFingerprints), and the key back to PEM and
 * through node:crypto for each CertificateVerify signature (CipherContext.signatureData): about
 * 1.5-2 ms of the event loop per call's setup, for the same few hundred bytes. The results are
 * the same for the same PEM texts, so they are kept (signatures included: the same key signs the
 * same way; only the parsing goes). Installed once per process.
 */
export function reuseParsedCertificate(): void {
  if (installed) return;
  installed = true;
  const context = CipherContext.prototype;
  const parseX509 = context.parseX509;
  context.parseX509 = function (this: CipherContext, certPem, keyPem, signatureHash) {
    const parsed = parsedX509.get(`${certPem}\n${keyPem}`);
    if (!parsed) {
      parseX509.call(this, certPem, keyPem, signatureHash);
      keep(parsedX509, `${certPem}\n${keyPem}`, { cert: this.localCert, key: this.localPrivateKey });
      return;
    }
    this.localCert = parsed.cert; // werift copies it before sending it
    this.localPrivateKey = parsed.key;
    this.signatureHashAlgorithm = signatureHash;
  };
  const signatureData = context.signatureData;
  context.signatureData = function (this: CipherContext, data, hash) {
    const pem = this.keyPem;
    if (pem === undefined) return signatureData.call(this, data, hash);
    const key = signingKeys.get(pem) ?? keep(signingKeys, pem, createPrivateKey(pem));
    return createSign(hash).update(data).sign(key);
  };
  const certificate = RTCCertificate.prototype;
  const getFingerprints = certificate.getFingerprints;
  certificate.getFingerprints = function (this: RTCCertificate) {
    let known = fingerprints.get(this);
    if (known?.pem !== this.certPem) {
      known = { pem: this.certPem, list: getFingerprints.call(this) };
      fingerprints.set(this, known);
    }
    return known.list.map((f) => new RTCDtlsFingerprint(f.algorithm, f.value));
  };
}
