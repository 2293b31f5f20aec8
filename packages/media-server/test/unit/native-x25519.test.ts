/** tweetnacl's X25519 (box.keyPair, scalarMult) routed through node:crypto: the same bytes as tweetnacl's own. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import nacl from 'tweetnacl';
import { useNativeX25519 } from '../../src/webrtc/nativeX25519.js';
import { thrownMessage } from '../helpers/thrown.js';

const tweetnacl = { scalarMult: nacl.scalarMult, base: nacl.scalarMult.base, keyPair: nacl.box.keyPair };
useNativeX25519();

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const same = (a: Uint8Array, b: Uint8Array) => assert.equal(Buffer.from(a).toString('hex'), Buffer.from(b).toString('hex'));

test('the module object werift imports is the one patched', () => {
  const weriftNacl = createRequire(import.meta.resolve('werift'))('tweetnacl') as typeof nacl;
  assert.equal(weriftNacl, nacl);
  assert.notEqual(weriftNacl.scalarMult, tweetnacl.scalarMult);
  assert.notEqual(weriftNacl.box.keyPair, tweetnacl.keyPair);
  assert.equal(nacl.scalarMult.scalarLength, 32);
  assert.equal(nacl.scalarMult.groupElementLength, 32);
  assert.equal(typeof nacl.box.keyPair.fromSecretKey, 'function');
});

test('RFC 7748 vectors (section 5.2, one and 1000 iterations; section 6.1)', () => {
  const vectors = [
    ['a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4', 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c', 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552'],
    // u with its top bit set, which X25519 ignores
    ['4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d', 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493', '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957'],
  ] as const;
  for (const [k, u, out] of vectors) {
    same(nacl.scalarMult(hex(k), hex(u)), hex(out));
    same(tweetnacl.scalarMult(hex(k), hex(u)), hex(out));
  }
  let k: Uint8Array = new Uint8Array(32);
  k[0] = 9;
  let u = k;
  for (let i = 1; i <= 1000; i++) {
    [k, u] = [nacl.scalarMult(k, u), k];
    if (i === 1) same(k, hex('422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079'));
  }
  same(k, hex('684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51'));

  const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const bob = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
  same(nacl.scalarMult.base(alice), hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'));
  same(nacl.scalarMult.base(bob), hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'));
  const shared = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  same(nacl.scalarMult(alice, nacl.scalarMult.base(bob)), shared);
  same(nacl.scalarMult(bob, nacl.scalarMult.base(alice)), shared);
});

test('random keys: key pairs and shared secrets are byte for byte tweetnacl\'s', () => {
  for (let i = 0; i < 200; i++) {
    const a = nacl.box.keyPair();
    const b = tweetnacl.keyPair();
    // What werift keeps: Buffer.from(key.buffer), so each key has its own 32-byte ArrayBuffer.
    assert.equal(a.secretKey.buffer.byteLength, 32);
    assert.equal(a.publicKey.buffer.byteLength, 32);
    same(a.publicKey, tweetnacl.base(a.secretKey));
    same(nacl.scalarMult.base(b.secretKey), b.publicKey);
    const secret = nacl.scalarMult(a.secretKey, b.publicKey);
    assert.ok(secret instanceof Uint8Array && secret.buffer.byteLength === 32);
    same(secret, tweetnacl.scalarMult(a.secretKey, b.publicKey));
    same(secret, tweetnacl.scalarMult(b.secretKey, a.publicKey));
    // Any 32 bytes as the peer's u coordinate, top bit included.
    const u = randomBytes(32);
    same(nacl.scalarMult(a.secretKey, u), tweetnacl.scalarMult(a.secretKey, u));
  }
});

test('edge keys: small-order and non-canonical peer keys, extreme scalars', () => {
  const scalars = [new Uint8Array(32), new Uint8Array(32).fill(0xff), hex('0100000000000000000000000000000000000000000000000000000000000000'), randomBytes(32)];
  const points = [
    '0000000000000000000000000000000000000000000000000000000000000000', // 0
    '0100000000000000000000000000000000000000000000000000000000000000', // 1
    'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', // order 8
    '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', // order 8
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p − 1
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p + 1
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // 2^256 − 1
    '0900000000000000000000000000000000000000000000000000000000000080', // 9 with the top bit set
  ].map(hex);
  for (const n of scalars) {
    same(nacl.scalarMult.base(n), tweetnacl.base(n));
    for (const p of points) same(nacl.scalarMult(n, p), tweetnacl.scalarMult(n, p));
  }
  // A small-order key gives tweetnacl's all-zero secret (OpenSSL refuses it; tweetnacl answers).
  same(nacl.scalarMult(randomBytes(32), points[0]!), new Uint8Array(32));
});

test('bad inputs get tweetnacl\'s errors', () => {
  const key = randomBytes(32);
  const cases: [unknown, unknown][] = [[randomBytes(31), key], [key, randomBytes(33)], [Array.from(key), key], ['x', key]];
  for (const [n, p] of cases) {
    const expected = thrownMessage(() => tweetnacl.scalarMult(n as Uint8Array, p as Uint8Array));
    assert.notEqual(expected, 'no error');
    assert.equal(thrownMessage(() => nacl.scalarMult(n as Uint8Array, p as Uint8Array)), expected);
  }
  assert.equal(thrownMessage(() => nacl.scalarMult.base(randomBytes(31))), thrownMessage(() => tweetnacl.base(randomBytes(31))));
});
