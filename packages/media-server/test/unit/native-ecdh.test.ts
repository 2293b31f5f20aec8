/** noble's P-256 getPublicKey/getSharedSecret routed through node:crypto: the same bytes as noble's own. */
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { p256 } from '@noble/curves/p256';
import { useNativeEcdh } from '../../src/webrtc/nativeEcdh.js';
import { thrownMessage } from '../helpers/thrown.js';

const noble = { getPublicKey: p256.getPublicKey, getSharedSecret: p256.getSharedSecret };
useNativeEcdh();

test('key shares and shared secrets are byte for byte noble\'s, compressed and not', () => {
  for (let i = 0; i < 200; i++) {
    const a = p256.utils.randomPrivateKey();
    const b = p256.utils.randomPrivateKey();
    for (const compressed of [true, false]) {
      assert.deepEqual(Buffer.from(p256.getPublicKey(a, compressed)), Buffer.from(noble.getPublicKey(a, compressed)));
    }
    const bPublic = p256.getPublicKey(b, false);
    for (const compressed of [true, false]) {
      assert.deepEqual(Buffer.from(p256.getSharedSecret(a, bPublic, compressed)), Buffer.from(noble.getSharedSecret(a, bPublic, compressed)));
    }
    // What werift keeps of it, the premaster secret: the x coordinate, as any ECDH computes it.
    const peer = createECDH('prime256v1');
    peer.setPrivateKey(b);
    assert.deepEqual(Buffer.from(p256.getSharedSecret(a, p256.getPublicKey(a, false))).subarray(1).length, 32);
    assert.deepEqual(Buffer.from(p256.getSharedSecret(a, bPublic)).subarray(1), peer.computeSecret(Buffer.from(p256.getPublicKey(a, false))));
  }
});

test('edge keys: the largest scalar, a peer key equal to our own, a compressed peer key', () => {
  const n1 = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550', 'hex'); // n − 1
  const one = Buffer.alloc(32);
  one[31] = 1;
  const a = p256.utils.randomPrivateKey();
  const aPublic = p256.getPublicKey(a, false);
  const cases: [Uint8Array, Uint8Array][] = [[n1, aPublic], [a, aPublic], [one, aPublic], [a, p256.getPublicKey(n1, false)], [a, p256.getPublicKey(a, true)]];
  for (const [secret, pub] of cases) {
    for (const compressed of [true, false]) {
      assert.deepEqual(Buffer.from(p256.getSharedSecret(secret, pub, compressed)), Buffer.from(noble.getSharedSecret(secret, pub, compressed)));
    }
  }
});

test('bad keys get noble\'s errors', () => {
  const a = p256.utils.randomPrivateKey();
  const offCurve = Buffer.concat([Buffer.from([4]), randomBytes(64)]);
  const zero = Buffer.alloc(32);
  const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
  assert.equal(thrownMessage(() => p256.getSharedSecret(a, offCurve)), thrownMessage(() => noble.getSharedSecret(a, offCurve)));
  assert.notEqual(thrownMessage(() => noble.getSharedSecret(a, offCurve)), 'no error');
  for (const bad of [zero, n, Buffer.alloc(31, 1)]) {
    assert.equal(thrownMessage(() => p256.getPublicKey(bad)), thrownMessage(() => noble.getPublicKey(bad)));
    assert.notEqual(thrownMessage(() => noble.getPublicKey(bad)), 'no error');
  }
});
