/** SRTP for SDES endpoints: the key derivation's RFC vector, every AES-CM profile, SRTCP, the soft limit, a=crypto. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { cryptoLine, localKey, remoteKey } from '../../src/plainrtp/sdes.js';
import { rtpHeaderLength } from '../../src/rtp/rtpHeader.js';
import { deriveSrtpKeys, SRTP_REJECTED, SrtpContext, srtpKeyLength, srtpSaltLength, type SrtpProfile } from '../../src/rtp/SrtpContext.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

test('key derivation matches RFC 3711 appendix B.3', () => {
  const keys = deriveSrtpKeys('AES_CM_128_HMAC_SHA1_80', hex('E1F97A0D3E018BE0D64FA32C06DE4139'), hex('0EC675AD498AFEEBB6960B3AABE6'), 'rtp');
  assert.equal(keys.key.toString('hex').toUpperCase(), 'C61E7A93744F39EE10734AFE3FF7A087');
  assert.equal(keys.salt.toString('hex').toUpperCase(), '30CBBC08863D8C85D49DB34A9AE1');
  assert.equal(keys.auth.toString('hex').toUpperCase(), 'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
});

const CM: SrtpProfile[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AES_256_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32'];

function packet(seq: number): Buffer {
  const p = Buffer.concat([Buffer.from([0x80, 96, seq >> 8, seq & 0xff, 0, 0, 0, 1, 0, 0, 0, 7]), randomBytes(300)]);
  return p;
}

for (const profile of CM) {
  test(`${profile}: a receiver with the same key opens what we protect; a flipped bit or a replay is refused`, () => {
    const key = randomBytes(srtpKeyLength(profile));
    const salt = randomBytes(srtpSaltLength(profile));
    const sender = new SrtpContext(profile, key, salt);
    const receiver = new SrtpContext(profile, key, salt);
    for (let seq = 65_530; seq < 65_545; seq++) {
      const plain = packet(seq & 0xffff);
      const wire = sender.protect(plain, rtpHeaderLength(plain), plain.subarray(12));
      assert.equal(wire.length, plain.length + (profile.endsWith('_32') ? 4 : 10));
      assert.notDeepEqual(wire.subarray(12, plain.length), plain.subarray(12), 'the payload is encrypted');
      const copy = Buffer.from(wire);
      assert.equal(receiver.unprotect(copy), plain.length);
      assert.deepEqual(copy.subarray(0, plain.length), plain);
      assert.equal(receiver.unprotect(Buffer.from(wire)), SRTP_REJECTED, 'replay');
    }
    const plain = packet(9);
    const wire = sender.protect(plain, 12, plain.subarray(12));
    wire[20] = (wire[20] ?? 0) ^ 1;
    assert.equal(receiver.unprotect(wire), SRTP_REJECTED, 'tampered');
  });

  test(`${profile}: SRTCP round trip with an 80-bit tag; tampered and replayed packets refused`, () => {
    const key = randomBytes(srtpKeyLength(profile));
    const salt = randomBytes(srtpSaltLength(profile));
    const sender = new SrtpContext(profile, key, salt);
    const receiver = new SrtpContext(profile, key, salt);
    const rr = Buffer.from([0x81, 201, 0, 7, 0, 0, 0, 9, ...randomBytes(24)]);
    const first = sender.protectRtcp(rr);
    assert.equal(first.length, rr.length + 4 + 10);
    assert.equal(first.readUInt32BE(rr.length) >>> 31, 1, 'E bit: encrypted');
    assert.deepEqual(receiver.unprotectRtcp(first), rr);
    assert.equal(receiver.unprotectRtcp(first), undefined, 'replay');
    const second = sender.protectRtcp(rr);
    second[10] = (second[10] ?? 0) ^ 0x80;
    assert.equal(receiver.unprotectRtcp(second), undefined, 'tampered');
    assert.deepEqual(receiver.unprotectRtcp(sender.protectRtcp(rr)), rr, 'the next one is fine');
  });
}

test('the soft key-usage limit is reported once', () => {
  let reported = 0;
  const key = randomBytes(16);
  const salt = randomBytes(14);
  const ctx = new SrtpContext('AES_CM_128_HMAC_SHA1_80', key, salt, 64, () => reported++, 10);
  for (let seq = 0; seq < 20; seq++) {
    const p = packet(seq);
    ctx.protect(p, 12, p.subarray(12));
  }
  assert.equal(reported, 1);
  assert.throws(() => new SrtpContext('AES_256_CM_HMAC_SHA1_80', key, salt), /32 bytes/);
});

test('SDES keys: Kurento’s text and base64 forms with their lengths; a=crypto parsed and written', () => {
  const text = localKey({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: '0123456789abcdefghijklmnopqrst' });
  assert.equal(text.key.toString('latin1'), '0123456789abcdef');
  assert.equal(text.salt.toString('latin1'), 'ghijklmnopqrst');
  assert.equal(localKey({ crypto: 'AES_256_CM_HMAC_SHA1_32' }).key.length, 32, 'random when none is given');
  assert.throws(() => localKey({ crypto: 'AES_256_CM_HMAC_SHA1_80', key: '0123456789abcdefghijklmnopqrst' }), /needs a key of 46 characters/);
  assert.throws(() => localKey({ key: 'a', keyBase64: 'YQ==' }), /not both/);
  const material = randomBytes(30);
  const line = cryptoLine(3, localKey({ crypto: 'AES_128_CM_HMAC_SHA1_32', keyBase64: material.toString('base64') }));
  assert.deepEqual(line, { id: 3, suite: 'AES_CM_128_HMAC_SHA1_32', config: `inline:${material.toString('base64')}` });
  const found = remoteKey([{ id: 1, suite: 'AEAD_AES_128_GCM', config: 'inline:AAAA' }, line], 'AES_128_CM_HMAC_SHA1_32');
  assert.equal(found?.line.id, 3);
  assert.deepEqual(Buffer.concat([found?.key.key ?? Buffer.alloc(0), found?.key.salt ?? Buffer.alloc(0)]), material);
  assert.throws(() => remoteKey([{ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80', config: 'inline:AAAA' }]), /needs 30 bytes/);
  assert.throws(() => remoteKey([{ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80', config: `inline:${material.toString('base64')}|2^20|1:4` }]), /lifetime and MKI/);
});
