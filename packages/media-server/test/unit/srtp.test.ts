/**
 * Our SRTP against werift's (the implementation Chromium interoperates with in the browser
 * tests): each side decrypts what the other encrypts, in both profiles, across a ROC wrap; and
 * what werift lacks: replays and tampered packets are refused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtpSession } from 'werift';
import { RTP_FIXED_HEADER, rtpHeaderLength } from '../../src/rtp/rtpHeader.js';
import { SRTP_REJECTED, SrtpContext, srtpSaltLength, type SrtpProfile } from '../../src/rtp/SrtpContext.js';

const profiles: { name: SrtpProfile; werift: number }[] = [
  { name: 'AEAD_AES_128_GCM', werift: ProtectionProfileAeadAes128Gcm },
  { name: 'AES_CM_128_HMAC_SHA1_80', werift: ProtectionProfileAes128CmHmacSha1_80 },
];

/** A werift session and our two contexts on the same keys: werift is "local" for a → b. */
function pair(profile: (typeof profiles)[number]) {
  const key = randomBytes(16);
  const salt = randomBytes(srtpSaltLength(profile.name));
  const werift = new SrtpSession({ keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt }, profile: profile.werift as 1 | 7 });
  return { werift, ours: () => new SrtpContext(profile.name, key, salt) };
}

/** A plain RTP packet with a one-byte header extension, as Chrome sends them. */
function plain(seq: number, ssrc = 0x1234_5678, payloadBytes = 200): { header: RtpHeader; payload: Buffer; bytes: Buffer } {
  const payload = randomBytes(payloadBytes);
  const header = new RtpHeader({ ssrc, sequenceNumber: seq, timestamp: seq * 3000, payloadType: 96, marker: seq % 5 === 0, extension: true, extensions: [{ id: 3, payload: Buffer.from([seq >> 8, seq & 0xff]) }] });
  const bytes = Buffer.concat([header.serialize(header.serializeSize), payload]);
  return { header, payload, bytes };
}

function ourProtect(ctx: SrtpContext, bytes: Buffer): Buffer {
  const h = rtpHeaderLength(bytes);
  return ctx.protect(bytes, h, bytes.subarray(h));
}

for (const profile of profiles) {
  test(`${profile.name}: werift encrypts, we decrypt, across a ROC wrap`, () => {
    const { werift, ours } = pair(profile);
    const ctx = ours();
    for (let i = 0; i < 40; i++) {
      const seq = (65_520 + i) & 0xffff; // wraps after 16 packets: ROC 0 → 1
      const p = plain(seq);
      const srtp = werift.encrypt(p.payload, p.header);
      const end = ctx.unprotect(srtp);
      assert.equal(end, p.bytes.length, `seq ${seq}`);
      assert.deepEqual(srtp.subarray(0, end), p.bytes, `seq ${seq} decrypts to the plain packet`);
    }
  });

  test(`${profile.name}: we encrypt, werift decrypts, across a ROC wrap`, () => {
    const { werift, ours } = pair(profile);
    const ctx = ours();
    for (let i = 0; i < 40; i++) {
      const seq = (65_520 + i) & 0xffff;
      const p = plain(seq);
      const srtp = ourProtect(ctx, p.bytes);
      assert.equal(srtp.length, p.bytes.length + ctx.tagLength);
      assert.deepEqual(werift.decrypt(srtp), p.bytes, `seq ${seq}`);
    }
  });

  test(`${profile.name}: a reordered packet from before the wrap still uses the old ROC`, () => {
    const { ours } = pair(profile);
    const sender = ours();
    const receiver = ours();
    for (const seq of [65_534, 65_535, 0, 1, 65_533, 2]) {
      const p = plain(seq);
      assert.equal(receiver.unprotect(ourProtect(sender, p.bytes)), p.bytes.length, `seq ${seq}`);
    }
  });

  test(`${profile.name}: replays and tampered packets are refused`, () => {
    const { werift, ours } = pair(profile);
    const ctx = ours();
    const p = plain(1000);
    const srtp = werift.encrypt(p.payload, p.header);
    const copy = Buffer.from(srtp);
    assert.equal(ctx.unprotect(srtp), p.bytes.length);
    assert.equal(ctx.unprotect(Buffer.from(copy)), SRTP_REJECTED, 'the same packet twice is a replay');
    assert.equal(ctx.rejected.replay, 1);

    const q = plain(1001);
    const tampered = werift.encrypt(q.payload, q.header);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    assert.equal(ctx.unprotect(tampered), SRTP_REJECTED, 'a wrong tag');
    const flipped = werift.encrypt(plain(1002).payload, plain(1002).header);
    flipped[RTP_FIXED_HEADER + 8] = (flipped[RTP_FIXED_HEADER + 8] ?? 0) ^ 0x80;
    assert.equal(ctx.unprotect(flipped), SRTP_REJECTED, 'a changed payload byte');
    assert.equal(ctx.rejected.auth, 2);

    // A refused packet leaves no trace: the genuine one still passes.
    const r = plain(1001);
    assert.equal(ctx.unprotect(werift.encrypt(r.payload, r.header)), r.bytes.length);
    // Far behind the window: refused even though never seen.
    for (let s = 1002; s < 1002 + 1100; s++) ctx.unprotect(werift.encrypt(plain(s, undefined, 20).payload, plain(s, undefined, 20).header));
    const old = plain(999);
    assert.equal(ctx.unprotect(werift.encrypt(old.payload, old.header)), SRTP_REJECTED);
  });
}

test('a packet too short for its header is refused, not thrown', () => {
  const ctx = new SrtpContext('AEAD_AES_128_GCM', randomBytes(16), randomBytes(12));
  assert.equal(ctx.unprotect(Buffer.from([0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 9])), SRTP_REJECTED);
  assert.equal(ctx.rejected.malformed, 1);
});
