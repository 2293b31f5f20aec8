/**
 * The HTTPS certificate: browsers give the camera only to secure pages, so the tutorial makes a
 * self-signed certificate for localhost on first start and keeps it (one browser warning to
 * accept, not one per start). A missing, broken or nearly expired one is made anew.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** A PEM certificate and its key. */
export interface Certificate {
  cert: string;
  key: string;
  /** Whether it was made by this call (rather than read from disk). */
  created: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function readUsable(certFile: string, keyFile: string): Certificate | undefined {
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    const x509 = new X509Certificate(cert);
    if (new Date(x509.validTo).getTime() - Date.now() < DAY_MS) return undefined;
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    return { cert, key, created: false };
  } catch {
    return undefined; // missing or unreadable: make a new one
  }
}

/** Reads the certificate kept in `dir`, or makes one (valid for a year) and keeps it there. */
export async function loadCertificate(dir: string): Promise<Certificate> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const kept = readUsable(certFile, keyFile);
  if (kept) return kept;
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - DAY_MS), // tolerate a slightly wrong clock
    notAfterDate: new Date(now.getTime() + 365 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private, created: true };
}
