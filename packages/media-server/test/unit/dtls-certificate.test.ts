/** The certificate werift would re-parse for every call, parsed once: same fingerprints, same key, valid signatures. */
import assert from 'node:assert/strict';
import { createPublicKey, createVerify, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { CipherContext, RTCDtlsTransport } from 'werift';
import { prepareDtlsCertificate, reuseParsedCertificate } from '../../src/webrtc/dtlsCertificate.js';

test('fingerprints, parsed certificate and CertificateVerify signatures are what werift makes without the cache', async () => {
  await prepareDtlsCertificate();
  const certificate = await RTCDtlsTransport.SetupCertificate();
  const client = 1; // SessionType.CLIENT
  const before = new CipherContext(client, certificate.certPem, certificate.privateKey, certificate.signatureHash);
  const fingerprintsBefore = certificate.getFingerprints();
  reuseParsedCertificate();
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(certificate.getFingerprints(), fingerprintsBefore);
    const context = new CipherContext(client, certificate.certPem, certificate.privateKey, certificate.signatureHash);
    assert.deepEqual(context.localCert, before.localCert);
    assert.equal(context.localPrivateKey.toPEM().toString(), before.localPrivateKey.toPEM().toString());
    const data = Buffer.from(`handshake messages ${i}`);
    const signature = context.signatureData(data, 'sha256');
    const publicKey = createPublicKey(new X509Certificate(certificate.certPem).publicKey.export({ format: 'pem', type: 'spki' }));
    assert.ok(createVerify('sha256').update(data).verify(publicKey, signature));
  }
  // The certificate's SHA-256 as node:crypto computes it.
  assert.equal(fingerprintsBefore[0]?.value.toUpperCase(), new X509Certificate(certificate.certPem).fingerprint256);
});
