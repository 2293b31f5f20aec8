/**
 * werift does the ECDHE of a DTLS handshake on P-256 (the only group libdatachannel offers;
 * Chromium's handshakes take X25519, see nativeX25519.ts) with @noble/curves, in JavaScript
 * (`p256.getPublicKey` for its key share, `p256.getSharedSecret` for the premaster secret): 4-5 ms
 * of the event loop per handshake, and 60-80 ms for the first one of the process, when noble
 * builds its tables. With ten calls being set up at once, each waits for the others' curve
 * arithmetic. node:crypto does the same in native code in well under a millisecond, so these two
 * functions of noble's `p256` (werift is its only user here) are routed through it, with noble's
 * exact results; any input the native path does not take (other encodings, invalid keys) still
 * goes to noble, errors included.
 */
import { ECDH, createECDH } from 'node:crypto';
import { p256 } from '@noble/curves/p256';

const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The SEC 1 prefix of a compressed point whose y is even. */
const EVEN_Y = Buffer.from([2]);

let installed = false;

/** Routes noble's P-256 key generation and ECDH through node:crypto (once per process). */
export function useNativeEcdh(): void {
  if (installed) return;
  installed = true;
  const nobleGetPublicKey = p256.getPublicKey;
  const nobleGetSharedSecret = p256.getSharedSecret;
  p256.getPublicKey = (secretKey, isCompressed = true) =>
    (secretKey instanceof Uint8Array && nativePublicKey(secretKey, isCompressed)) || nobleGetPublicKey(secretKey, isCompressed);
  p256.getSharedSecret = (secretKey, publicKey, isCompressed = true) =>
    (secretKey instanceof Uint8Array && publicKey instanceof Uint8Array && nativeSharedSecret(secretKey, publicKey, isCompressed)) ||
    nobleGetSharedSecret(secretKey, publicKey, isCompressed);
}

/** k·G, or undefined where noble should answer (it also throws noble's errors). */
function nativePublicKey(secretKey: Uint8Array, isCompressed: boolean): Uint8Array | undefined {
  const k = scalar(secretKey);
  if (k === undefined) return undefined;
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(secretKey);
  return ecdh.getPublicKey(null, isCompressed ? 'compressed' : 'uncompressed');
}

/**
 * k·Q encoded as noble encodes it, or undefined where noble should answer. ECDH in node:crypto
 * gives only the x coordinate; y is the square root of x³ − 3x + b (node:crypto decompresses the
 * point to find one) whose sign makes k·Q + Q = (k+1)·Q, whose x node:crypto also gives.
 */
function nativeSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array, isCompressed: boolean): Uint8Array | undefined {
  const k = scalar(secretKey);
  // Only an uncompressed public key (how DTLS sends it) carries the y the sign test needs.
  if (k === undefined || k + 1n >= N || publicKey.length !== 65 || publicKey[0] !== 4) return undefined;
  const qx = toBig(publicKey.subarray(1, 33));
  const qy = toBig(publicKey.subarray(33));
  let x: bigint;
  let nextX: bigint;
  let root: bigint;
  try {
    const xBytes = ecdhX(secretKey, publicKey);
    x = toBig(xBytes);
    nextX = toBig(ecdhX(toBytes(k + 1n), publicKey));
    const point = ECDH.convertKey(Buffer.concat([EVEN_Y, xBytes]), 'prime256v1', undefined, undefined, 'uncompressed') as Buffer;
    root = toBig(point.subarray(33));
  } catch {
    return undefined; // not a point of the curve: noble throws its own error
  }
  if (x === qx) return undefined; // k·Q = ±Q: the sign test below needs distinct points
  // (x, y) + Q has x = λ² − x − qx with λ = (qy − y) / (qx − x): compared without a division.
  const fits = (y: bigint) => mod((qy - y) ** 2n) === mod((nextX + x + qx) * (qx - x) ** 2n);
  const rootFits = fits(root);
  if (rootFits === fits(mod(-root))) return undefined;
  const y = rootFits ? root : mod(-root);
  const xBytes = toBytes(x);
  if (isCompressed) return Buffer.concat([Buffer.from([y & 1n ? 3 : 2]), xBytes]);
  return Buffer.concat([Buffer.from([4]), xBytes, toBytes(y)]);
}

function ecdhX(secretKey: Uint8Array, publicKey: Uint8Array): Buffer {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(secretKey);
  return ecdh.computeSecret(publicKey);
}

/** A 32-byte secret key in 1..n−1, or undefined. */
function scalar(bytes: Uint8Array): bigint | undefined {
  if (bytes.length !== 32) return undefined;
  const k = toBig(bytes);
  return k > 0n && k < N ? k : undefined;
}

const mod = (a: bigint) => ((a % P) + P) % P;

const toBig = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex') || '0'}`);
const toBytes = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
