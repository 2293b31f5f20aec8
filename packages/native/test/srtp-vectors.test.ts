/**
 * The native SRTP/SRTCP against published vectors: RFC 7714 §16–17 (AEAD_AES_128_GCM and
 * AEAD_AES_256_GCM with session keys) and libsrtp's AES_CM_128_HMAC_SHA1_80 packets, whose
 * master key and salt are RFC 3711 Appendix B.3's (so they also pin the key derivation).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NativeSrtpSession, SrtpReject } from '../src/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** The packet in a buffer with `room` spare bytes after it. */
function roomy(packet: Buffer, room = 64): Buffer {
  const b = Buffer.alloc(packet.length + room);
  packet.copy(b);
  return b;
}

const GCM_KEY_128 = hex('000102030405060708090a0b0c0d0e0f');
const GCM_KEY_256 = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const GCM_SALT = hex('517569642070726f2071756f');
const RTP = hex('8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e697320646976 69736120696e207061727465732074726573');
const SRTP_128 = hex(
  '8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce',
);
const SRTP_256 = hex(
  '8040f17b8041f8d35501a0b2 32b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba63799b87b7aa3db36dfffd6b0f9bb7878d7a76c13',
);
const RTCP = hex('81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef');
const SRTCP_128 = hex(
  '81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4',
);
const SRTCP_256 = hex(
  '81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4',
);
const SRTCP_128_TAG_ONLY = hex(
  '81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef841dd9683dd78ec92ae58790125f62b3000005d4',
);
const SRTCP_INDEX = 0x5d4;

for (const [profile, key, srtp, srtcp] of [
  ['AEAD_AES_128_GCM', GCM_KEY_128, SRTP_128, SRTCP_128],
  ['AEAD_AES_256_GCM', GCM_KEY_256, SRTP_256, SRTCP_256],
] as const) {
  test(`${profile}: RFC 7714 §16 SRTP vector, both ways`, () => {
    const sender = new NativeSrtpSession(profile, key, GCM_SALT, { sessionKeys: true });
    const packet = roomy(RTP);
    const length = sender.protectRtp(packet, 0, RTP.length);
    assert.equal(length, srtp.length);
    assert.deepEqual(packet.subarray(0, length), srtp);

    const receiver = new NativeSrtpSession(profile, key, GCM_SALT, { sessionKeys: true });
    const wire = Buffer.from(srtp);
    assert.equal(receiver.unprotectRtp(wire, 0, wire.length), RTP.length);
    assert.deepEqual(wire.subarray(0, RTP.length), RTP);
  });

  test(`${profile}: RFC 7714 §17 SRTCP vector, both ways`, () => {
    const receiver = new NativeSrtpSession(profile, key, GCM_SALT, { sessionKeys: true });
    const wire = Buffer.from(srtcp);
    assert.equal(receiver.unprotectRtcp(wire, 0, wire.length), RTCP.length);
    assert.deepEqual(wire.subarray(0, RTCP.length), RTCP);

    // Our SRTCP index counts from 1 per SSRC: the vector's is the 0x5d4th packet.
    const sender = new NativeSrtpSession(profile, key, GCM_SALT, { sessionKeys: true });
    const packet = roomy(RTCP);
    for (let i = 1; i < SRTCP_INDEX; i++) {
      RTCP.copy(packet);
      assert.equal(sender.protectRtcp(packet, 0, RTCP.length), srtcp.length);
    }
    RTCP.copy(packet);
    assert.equal(sender.protectRtcp(packet, 0, RTCP.length), srtcp.length);
    assert.deepEqual(packet.subarray(0, srtcp.length), srtcp);
  });
}

test('AEAD_AES_128_GCM: RFC 7714 §17.3, SRTCP authenticated but not encrypted (E flag clear)', () => {
  const receiver = new NativeSrtpSession('AEAD_AES_128_GCM', GCM_KEY_128, GCM_SALT, { sessionKeys: true });
  const wire = Buffer.from(SRTCP_128_TAG_ONLY);
  assert.equal(receiver.unprotectRtcp(wire, 0, wire.length), RTCP.length);
  assert.deepEqual(wire.subarray(0, RTCP.length), RTCP);
});

test('AEAD_AES_128_GCM: a tampered, truncated or replayed packet is refused and left as it came', () => {
  const receiver = new NativeSrtpSession('AEAD_AES_128_GCM', GCM_KEY_128, GCM_SALT, { sessionKeys: true });
  for (const at of [1, 12, 20, SRTP_128.length - 1]) {
    const forged = Buffer.from(SRTP_128);
    forged[at] = (forged[at] ?? 0) ^ 0x01;
    const copy = Buffer.from(forged);
    assert.equal(receiver.unprotectRtp(forged, 0, forged.length), at === 1 ? SrtpReject.auth : SrtpReject.auth, `byte ${at} flipped`);
    assert.deepEqual(forged, copy, `byte ${at} flipped: the packet is untouched`);
  }
  for (const length of [0, 1, 11, 16, 27]) {
    assert.equal(receiver.unprotectRtp(Buffer.from(SRTP_128), 0, length), SrtpReject.malformed, `${length} bytes`);
  }
  const wire = Buffer.from(SRTP_128);
  assert.equal(receiver.unprotectRtp(wire, 0, wire.length), RTP.length);
  assert.equal(receiver.unprotectRtp(Buffer.from(SRTP_128), 0, SRTP_128.length), SrtpReject.replay);
  const forgedRtcp = Buffer.from(SRTCP_128);
  forgedRtcp[30] = (forgedRtcp[30] ?? 0) ^ 0x08;
  assert.equal(receiver.unprotectRtcp(forgedRtcp, 0, forgedRtcp.length), SrtpReject.auth);
  assert.deepEqual(receiver.rejected(), { auth: 5, replay: 1, malformed: 5 });
});

// libsrtp's srtp_driver packets (SSRC 0xcafebabe), master key and salt of RFC 3711 B.3.
const CM_KEY = hex('e1f97a0d3e018be0d64fa32c06de4139');
const CM_SALT = hex('0ec675ad498afeebb6960b3aabe6');
const CM_RTP = hex('800f1234decafbadcafebabe abababababababababababababababab');
const CM_SRTP = hex('800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb');
const CM_RTCP = hex('81c8000bcafebabe abababababababababababababababab');
const CM_SRTCP = hex('81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798');

test('AES_CM_128_HMAC_SHA1_80: libsrtp reference packets (RFC 3711 B.3 keys), both ways', () => {
  const sender = new NativeSrtpSession('AES_CM_128_HMAC_SHA1_80', CM_KEY, CM_SALT);
  const packet = roomy(CM_RTP);
  assert.equal(sender.protectRtp(packet, 0, CM_RTP.length), CM_SRTP.length);
  assert.deepEqual(packet.subarray(0, CM_SRTP.length), CM_SRTP);
  const rtcp = roomy(CM_RTCP);
  assert.equal(sender.protectRtcp(rtcp, 0, CM_RTCP.length), CM_SRTCP.length);
  assert.deepEqual(rtcp.subarray(0, CM_SRTCP.length), CM_SRTCP, 'the first SRTCP index is 1, as libsrtp counts');

  const receiver = new NativeSrtpSession('AES_CM_128_HMAC_SHA1_80', CM_KEY, CM_SALT);
  const wire = Buffer.from(CM_SRTP);
  assert.equal(receiver.unprotectRtp(wire, 0, wire.length), CM_RTP.length);
  assert.deepEqual(wire.subarray(0, CM_RTP.length), CM_RTP);
  const wireRtcp = Buffer.from(CM_SRTCP);
  assert.equal(receiver.unprotectRtcp(wireRtcp, 0, wireRtcp.length), CM_RTCP.length);
  assert.deepEqual(wireRtcp.subarray(0, CM_RTCP.length), CM_RTCP);
  assert.equal(receiver.unprotectRtcp(Buffer.from(CM_SRTCP), 0, CM_SRTCP.length), SrtpReject.replay);
  // Every truncation is refused (as libsrtp's and jitsi's tests check).
  for (let length = CM_SRTP.length - 1; length >= 0; length--) {
    const fresh = new NativeSrtpSession('AES_CM_128_HMAC_SHA1_80', CM_KEY, CM_SALT);
    assert.ok(fresh.unprotectRtp(Buffer.from(CM_SRTP), 0, length) < 0, `SRTP cut to ${length} bytes`);
  }
  for (let length = CM_SRTCP.length - 1; length >= 0; length--) {
    const fresh = new NativeSrtpSession('AES_CM_128_HMAC_SHA1_80', CM_KEY, CM_SALT);
    assert.ok(fresh.unprotectRtcp(Buffer.from(CM_SRTCP), 0, length) < 0, `SRTCP cut to ${length} bytes`);
  }
});

test('bad arguments get clear errors and harm nothing', () => {
  assert.throws(() => new NativeSrtpSession('AEAD_AES_128_GCM', Buffer.alloc(15), Buffer.alloc(12)), /16-byte key and a 12-byte salt/);
  assert.throws(() => new NativeSrtpSession('AES_256_CM_HMAC_SHA1_80', Buffer.alloc(16), Buffer.alloc(14)), /32-byte key and a 14-byte salt/);
  assert.throws(() => new NativeSrtpSession('NOPE' as 'AEAD_AES_128_GCM', Buffer.alloc(16), Buffer.alloc(12)), /unknown SRTP profile/);
  assert.throws(() => new NativeSrtpSession('AEAD_AES_128_GCM', Buffer.alloc(16), Buffer.alloc(12), { maxSsrcs: 0 }), /maxSsrcs/);
  const s = new NativeSrtpSession('AEAD_AES_128_GCM', GCM_KEY_128, GCM_SALT);
  const b = Buffer.alloc(100);
  assert.throws(() => s.protectRtp(b, 90, 20), /within the buffer/);
  assert.throws(() => s.protectRtp(b, -1, 20), /within the buffer/);
  assert.throws(() => s.protectRtp('x' as unknown as Buffer, 0, 1), /Buffer or Uint8Array/);
  RTP.copy(b);
  assert.equal(s.protectRtp(b, 0, RTP.length), RTP.length + 16);
  assert.equal(s.protectRtp(b, 0, 90), SrtpReject.noRoom, 'no room for the tag');
  assert.equal(s.protectRtp(Buffer.alloc(40), 0, 40), SrtpReject.malformed, 'not RTP version 2');
  s.close();
  s.close();
  assert.throws(() => s.unprotectRtp(b, 0, 10), /closed/);
});
