/**
 * The native SRTP against our TypeScript `SrtpContext` (media-server/src/rtp/SrtpContext.ts):
 * the same plain packets give byte-identical SRTP both ways, and the same stream of packets
 * (reordered, duplicated, stale, across sequence wrap-arounds, more SSRCs than the table holds)
 * is accepted and refused packet by packet alike. Then the profiles the TypeScript path lacks
 * (AES_CM_128_HMAC_SHA1_32, AES-256) against a reference written here with node:crypto, and
 * SRTCP against werift's implementation, which the server uses today.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SrtcpSession } from 'werift';
import { SrtpContext, type SrtpProfile } from '../../media-server/src/rtp/SrtpContext.js';
import { NATIVE_SRTP_PROFILES, NativeSrtpSession, type NativeSrtpProfile } from '../src/index.js';

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

/** A plain RTP packet: CSRCs and a one-byte-form extension block sometimes, any payload size. */
function rtpPacket(random: () => number, ssrc: number, seq: number, payloadLength: number): { header: Buffer; payload: Buffer } {
  const csrcs = random() < 0.2 ? Math.floor(random() * 3) + 1 : 0;
  const extWords = random() < 0.5 ? Math.floor(random() * 4) + 1 : 0;
  const header = Buffer.alloc(12 + csrcs * 4 + (extWords > 0 ? 4 + extWords * 4 : 0));
  header[0] = 0x80 | (extWords > 0 ? 0x10 : 0) | csrcs;
  header[1] = (random() < 0.1 ? 0x80 : 0) | 96;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(Math.floor(random() * 0xffffffff), 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  for (let i = 0; i < csrcs; i++) header.writeUInt32BE(Math.floor(random() * 0xffffffff), 12 + i * 4);
  if (extWords > 0) {
    const at = 12 + csrcs * 4;
    header.writeUInt16BE(0xbede, at);
    header.writeUInt16BE(extWords, at + 2);
    for (let i = at + 4; i < header.length; i++) header[i] = Math.floor(random() * 256);
  }
  const payload = Buffer.alloc(payloadLength);
  for (let i = 0; i < payloadLength; i++) payload[i] = Math.floor(random() * 256);
  return { header, payload };
}

const SHARED: SrtpProfile[] = ['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80'];

for (const profile of SHARED) {
  test(`${profile}: protect gives the same bytes as SrtpContext, and each unprotects the other's`, () => {
    const random = prng(profile.length * 7919);
    const sizes = NATIVE_SRTP_PROFILES[profile];
    const key = randomBytes(sizes.keyLength);
    const salt = randomBytes(sizes.saltLength);
    const tsOut = new SrtpContext(profile, key, salt);
    const nativeOut = new NativeSrtpSession(profile, key, salt);
    const tsIn = new SrtpContext(profile, key, salt);
    const nativeIn = new NativeSrtpSession(profile, key, salt);
    const ssrcs = [0x11111111, 0xdeadbeef, 0x00000001];
    const seqs = new Map(ssrcs.map((s) => [s, 65_500 + Math.floor(random() * 30)])); // wraps early: ROC 1
    const slab = Buffer.alloc(4096);
    for (let n = 0; n < 3000; n++) {
      const ssrc = ssrcs[Math.floor(random() * ssrcs.length)] ?? 0;
      const seq = seqs.get(ssrc) ?? 0;
      seqs.set(ssrc, seq + 1 + (random() < 0.05 ? Math.floor(random() * 200) : 0));
      const { header, payload } = rtpPacket(random, ssrc, seq, Math.floor(random() * 1300));
      const fromTs = tsOut.protect(header, header.length, payload);
      const plain = Buffer.concat([header, payload]);
      plain.copy(slab, 100);
      const length = nativeOut.protectRtp(slab, 100, plain.length);
      assert.equal(length, fromTs.length, `packet ${n}: length`);
      assert.ok(slab.subarray(100, 100 + length).equals(fromTs), `packet ${n} (seq ${seq}): the same SRTP bytes`);

      // Half go native -> TypeScript, half TypeScript -> native (each receiver sees every packet once).
      if (n % 2 === 0) {
        const wire = Buffer.from(fromTs);
        assert.equal(nativeIn.unprotectRtp(wire, 0, wire.length), plain.length, `packet ${n}: native unprotects TypeScript's`);
        assert.ok(wire.subarray(0, plain.length).equals(plain));
        assert.equal(tsIn.unprotect(Buffer.from(fromTs)), plain.length, `packet ${n}: TypeScript unprotects native's`);
      } else {
        const wire = Buffer.from(slab.subarray(100, 100 + length));
        assert.equal(tsIn.unprotect(wire), plain.length);
        assert.ok(wire.subarray(0, plain.length).equals(plain));
        assert.equal(nativeIn.unprotectRtp(fromTs, 0, fromTs.length), plain.length);
      }
    }
  });

  test(`${profile}: reordered, duplicated, stale and forged packets are accepted or refused as SrtpContext does`, () => {
    const random = prng(profile.length * 104_729);
    const sizes = NATIVE_SRTP_PROFILES[profile];
    const key = randomBytes(sizes.keyLength);
    const salt = randomBytes(sizes.saltLength);
    const maxSsrcs = 4;
    const sender = new SrtpContext(profile, key, salt, 64);
    const ts = new SrtpContext(profile, key, salt, maxSsrcs);
    const native = new NativeSrtpSession(profile, key, salt, { maxSsrcs });
    // Six SSRCs through a table of four: both forget every SSRC at the same moments.
    const ssrcs = [1, 2, 3, 4, 5, 6].map((i) => i * 0x01010101);
    const sent: Buffer[] = [];
    const seqs = new Map(ssrcs.map((s) => [s, Math.floor(random() * 65536)]));
    for (let n = 0; n < 6000; n++) {
      const ssrc = ssrcs[Math.floor(random() * (n < 3000 ? 3 : ssrcs.length))] ?? 0;
      const seq = seqs.get(ssrc) ?? 0;
      seqs.set(ssrc, seq + 1 + (random() < 0.02 ? Math.floor(random() * 3000) : 0));
      const { header, payload } = rtpPacket(random, ssrc, seq, 20 + Math.floor(random() * 200));
      sent.push(sender.protect(header, header.length, payload));
    }
    const stream: Buffer[] = [];
    for (let i = 0; i < sent.length; i++) {
      const r = random();
      const pick = r < 0.1 ? sent[Math.max(0, i - 1 - Math.floor(random() * 40))] : r < 0.13 ? sent[Math.max(0, i - 1000 - Math.floor(random() * 2000))] : sent[i];
      if (!pick) continue;
      let packet = Buffer.from(pick);
      if (random() < 0.03) {
        const at = packet.length - 1 - Math.floor(random() * 8);
        packet[at] = (packet[at] ?? 0) ^ 0x40; // forged
      }
      if (random() < 0.01) packet = packet.subarray(0, Math.floor(random() * packet.length)); // cut
      stream.push(packet);
    }
    let accepted = 0;
    for (const [n, packet] of stream.entries()) {
      const a = ts.unprotect(Buffer.from(packet));
      const b = native.unprotectRtp(Buffer.from(packet), 0, packet.length);
      assert.equal(b >= 0 ? b : -1, a, `packet ${n} of the stream: both ${a >= 0 ? 'accept' : 'refuse'} it`);
      if (a >= 0) accepted++;
    }
    assert.ok(accepted > stream.length * 0.7 && accepted < stream.length, `most packets accepted, some refused (${accepted} of ${stream.length})`);
    const nativeRejected = native.rejected();
    assert.equal(nativeRejected.auth + nativeRejected.replay + nativeRejected.malformed, ts.rejected.auth + ts.rejected.replay + ts.rejected.malformed);
    assert.deepEqual(nativeRejected, { ...ts.rejected }, 'the same causes counted');
  });
}

/** RFC 3711 with node:crypto, written out step by step: the reference for the profiles SrtpContext lacks. */
function referenceCm(profile: NativeSrtpProfile, masterKey: Buffer, masterSalt: Buffer) {
  const sizes = NATIVE_SRTP_PROFILES[profile];
  const aes = sizes.keyLength === 32 ? 'aes-256' : 'aes-128';
  const kdf = (label: number, length: number): Buffer => {
    const iv = Buffer.alloc(16);
    masterSalt.copy(iv, 0, 0, 14);
    iv[7] = (iv[7] ?? 0) ^ label;
    return createCipheriv(`${aes}-ctr`, masterKey, iv).update(Buffer.alloc(length));
  };
  const key = kdf(0, sizes.keyLength);
  const auth = kdf(1, 20);
  const salt = kdf(2, 14);
  return (plain: Buffer, headerLength: number, roc: number): Buffer => {
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(plain.readUInt32BE(8), 4);
    iv.writeUInt32BE(roc, 8);
    iv.writeUInt16BE(plain.readUInt16BE(2), 12);
    for (let i = 0; i < 14; i++) iv[i] = (iv[i] ?? 0) ^ (salt[i] ?? 0);
    const body = Buffer.concat([plain.subarray(0, headerLength), createCipheriv(`${aes}-ctr`, key, iv).update(plain.subarray(headerLength))]);
    const rocBytes = Buffer.alloc(4);
    rocBytes.writeUInt32BE(roc);
    const tag = createHmac('sha1', auth).update(body).update(rocBytes).digest().subarray(0, sizes.rtpTagLength);
    return Buffer.concat([body, tag]);
  };
}

for (const profile of ['AES_CM_128_HMAC_SHA1_32', 'AES_256_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32'] as const) {
  test(`${profile}: SRTP as RFC 3711 / RFC 6188 compute it (node:crypto reference), across a rollover`, () => {
    const random = prng(profile.length * 31);
    const sizes = NATIVE_SRTP_PROFILES[profile];
    const key = randomBytes(sizes.keyLength);
    const salt = randomBytes(sizes.saltLength);
    const reference = referenceCm(profile, key, salt);
    const sender = new NativeSrtpSession(profile, key, salt);
    const receiver = new NativeSrtpSession(profile, key, salt);
    const slab = Buffer.alloc(2048);
    for (let n = 0; n < 400; n++) {
      const seq = (65_400 + n) & 0xffff;
      const roc = 65_400 + n > 0xffff ? 1 : 0;
      const { header, payload } = rtpPacket(random, 0xabcdef01, seq, Math.floor(random() * 1200));
      const plain = Buffer.concat([header, payload]);
      plain.copy(slab);
      const length = sender.protectRtp(slab, 0, plain.length);
      const expected = reference(plain, header.length, roc);
      assert.ok(slab.subarray(0, length).equals(expected), `packet ${n} (seq ${seq}, ROC ${roc})`);
      assert.equal(receiver.unprotectRtp(slab, 0, length), plain.length);
      assert.ok(slab.subarray(0, plain.length).equals(plain));
    }
  });
}

// werift's profile numbers: 1 = AES_CM_128_HMAC_SHA1_80, 7 = AEAD_AES_128_GCM.
for (const [profile, weriftProfile] of [
  ['AES_CM_128_HMAC_SHA1_80', 1],
  ['AEAD_AES_128_GCM', 7],
] as const) {
  test(`${profile}: SRTCP interoperates with werift's, both ways`, () => {
    const sizes = NATIVE_SRTP_PROFILES[profile];
    const [keyA, saltA, keyB, saltB] = [randomBytes(16), randomBytes(sizes.saltLength), randomBytes(16), randomBytes(sizes.saltLength)];
    const werift = new SrtcpSession({ keys: { localMasterKey: keyA, localMasterSalt: saltA, remoteMasterKey: keyB, remoteMasterSalt: saltB }, profile: weriftProfile });
    const nativeOut = new NativeSrtpSession(profile, keyB, saltB);
    const nativeIn = new NativeSrtpSession(profile, keyA, saltA);
    const random = prng(weriftProfile);
    for (let n = 0; n < 200; n++) {
      // A receiver report with n report blocks' worth of bytes.
      const words = 1 + Math.floor(random() * 30);
      const rtcp = Buffer.alloc(4 + words * 4);
      rtcp[0] = 0x80;
      rtcp[1] = 201;
      rtcp.writeUInt16BE(words, 2);
      rtcp.writeUInt32BE(0x12345678 + (n % 3), 4);
      for (let i = 8; i < rtcp.length; i++) rtcp[i] = Math.floor(random() * 256);

      const fromWerift = werift.encrypt(Buffer.from(rtcp));
      assert.equal(nativeIn.unprotectRtcp(fromWerift, 0, fromWerift.length), rtcp.length, `packet ${n}: native unprotects werift's`);
      assert.ok(fromWerift.subarray(0, rtcp.length).equals(rtcp));

      const slab = Buffer.alloc(rtcp.length + 32);
      rtcp.copy(slab);
      const length = nativeOut.protectRtcp(slab, 0, rtcp.length);
      assert.equal(length, rtcp.length + sizes.rtcpOverhead);
      assert.ok(werift.decrypt(Buffer.from(slab.subarray(0, length))).subarray(0, rtcp.length).equals(rtcp), `packet ${n}: werift unprotects native's`);
    }
  });
}
