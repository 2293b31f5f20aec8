/**
 * werift does the X25519 ECDHE of a DTLS handshake with tweetnacl, in JavaScript
 * (`nacl.box.keyPair()` for its key share, `nacl.scalarMult()` for the premaster secret), and
 * Chromium puts X25519 first among the groups werift knows, so every Chromium call pays for it,
 * whichever side is the DTLS client (Chromium 150 offers [X25519MLKEM768, x25519, P-256, P-384];
 * libdatachannel offers only P-256, see nativeEcdh.ts): 0.9 ms of the event loop per handshake,
 * 1.3-6 ms for the process's first. node:crypto does the same in native code in 0.08 ms, so
 * these functions of tweetnacl's module object (the one werift imports: tweetnacl is CommonJS,
 * one instance per process) are routed through it, with tweetnacl's exact results. An input the
 * native path does not take goes to tweetnacl, errors included, and so does a peer key of small
 * order (OpenSSL refuses its all-zero secret; tweetnacl returns it).
 */
import { createPrivateKey, createPublicKey, diffieHellman, randomFillSync, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';

let installed = false;

/** Routes tweetnacl's X25519 (box.keyPair, scalarMult, scalarMult.base) through node:crypto (once per process). */
export function useNativeX25519(): void {
  if (installed) return;
  installed = true;
  const naclScalarMult = nacl.scalarMult;
  const naclBase = naclScalarMult.base;
  const naclKeyPair = nacl.box.keyPair;
  const base = (n: Uint8Array) => (isKey(n) && nativePublicKey(n)) || naclBase(n);
  nacl.scalarMult = Object.assign((n: Uint8Array, p: Uint8Array) => (isKey(n) && isKey(p) && nativeSharedSecret(n, p)) || naclScalarMult(n, p), naclScalarMult, { base });
  // tweetnacl's keyPair: 32 random bytes (unclamped) and their public key. Each array has its
  // own 32-byte ArrayBuffer, as tweetnacl's do: werift reads them through `.buffer`.
  nacl.box.keyPair = Object.assign(() => {
    const secretKey = randomFillSync(new Uint8Array(32));
    return { secretKey, publicKey: nativePublicKey(secretKey) || naclKeyPair.fromSecretKey(secretKey).publicKey };
  }, naclKeyPair);
}

const isKey = (bytes: unknown): bytes is Uint8Array => bytes instanceof Uint8Array && bytes.length === 32;

// Raw keys go in and out as JWK, which node:crypto maps straight to OpenSSL's raw-key calls: a
// DER import goes through OpenSSL's decoders, 280 µs for a PKCS#8 key against 21 µs for a JWK
// (Node 20 on this box), which made the native path barely faster than tweetnacl.
const base64url = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

function privateKey(secretKey: Uint8Array): KeyObject {
  // Node wants an `x` string, but builds the private key from `d` alone (its public key included).
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: base64url(secretKey), x: '' }, format: 'jwk' });
}

/** X25519(n, 9), or undefined where tweetnacl should answer. */
function nativePublicKey(secretKey: Uint8Array): Uint8Array | undefined {
  try {
    const { x } = createPublicKey(privateKey(secretKey)).export({ format: 'jwk' });
    return x === undefined ? undefined : copy(Buffer.from(x, 'base64url'));
  } catch {
    return undefined;
  }
}

/** X25519(n, p), or undefined where tweetnacl should answer. */
function nativeSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined {
  try {
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url(publicKey) }, format: 'jwk' });
    return copy(diffieHellman({ privateKey: privateKey(secretKey), publicKey: peer }));
  } catch {
    return undefined; // a small-order peer key: OpenSSL refuses the all-zero secret
  }
}

/** A Uint8Array of its own 32-byte ArrayBuffer, as tweetnacl returns. */
function copy(bytes: Uint8Array): Uint8Array | undefined {
  return bytes.length === 32 ? new Uint8Array(bytes) : undefined;
}
