/**
 * Hostile input to the native per-packet entry points (fast-check): random bytes and mutated
 * valid packets, any offset and length, for every profile. Nothing crashes or reads past the
 * packet (npm run soak runs this under AddressSanitizer), nothing forged is accepted, and a valid
 * packet still goes through afterwards. FUZZ_RUNS sets the count (the soak's is large).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { NATIVE_SRTP_PROFILES, NativeSrtpSession, type NativeSrtpProfile, SrtpReject } from '../src/index.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);
const PROFILES = Object.keys(NATIVE_SRTP_PROFILES) as NativeSrtpProfile[];

function pair(profile: NativeSrtpProfile): [NativeSrtpSession, NativeSrtpSession] {
  const sizes = NATIVE_SRTP_PROFILES[profile];
  const key = randomBytes(sizes.keyLength);
  const salt = randomBytes(sizes.saltLength);
  return [new NativeSrtpSession(profile, key, salt), new NativeSrtpSession(profile, key, salt)];
}

for (const profile of PROFILES) {
  test(`${profile}: random bytes and mutated packets are refused cleanly; valid ones still pass`, () => {
    const [sender, receiver] = pair(profile);
    let seq = 1;
    const valid = (rtcp: boolean): Buffer => {
      const b = Buffer.alloc(300);
      b[0] = 0x80;
      b[1] = rtcp ? 200 : 96;
      b.writeUInt16BE(rtcp ? 10 : seq++, 2);
      b.writeUInt32BE(0xabc, rtcp ? 4 : 8);
      const length = rtcp ? sender.protectRtcp(b, 0, 44) : sender.protectRtp(b, 0, 200);
      assert.ok(length > 0);
      return b.subarray(0, length);
    };
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.option(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })),
        (bytes, a, b, rtcp, mutations) => {
          let buffer = Buffer.from(bytes);
          let forged = false;
          if (mutations) {
            // A forged variant of a valid packet: some bytes flipped (two flips may cancel out).
            const original = valid(rtcp);
            buffer = Buffer.from(original);
            for (const [at, x] of mutations) buffer[at % buffer.length] = (buffer[at % buffer.length] ?? 0) ^ x;
            forged = !buffer.equals(original);
          }
          // Random bytes at any offset and length; a forged packet whole, as it would arrive.
          const offset = mutations || buffer.length === 0 ? 0 : a % (buffer.length + 1);
          const length = mutations ? buffer.length : buffer.length - offset === 0 ? 0 : b % (buffer.length - offset + 1);
          const r = rtcp ? receiver.unprotectRtcp(buffer, offset, length) : receiver.unprotectRtp(buffer, offset, length);
          if (forged) assert.ok(r < 0, `a forged ${rtcp ? 'SRTCP' : 'SRTP'} packet was refused`);
          assert.ok(r < 0 || r <= length, 'a result within the packet');
          if (r < 0) assert.ok([SrtpReject.auth, SrtpReject.replay, SrtpReject.malformed].includes(r as -1 | -2 | -3));
          // Protect on junk: refused or within the buffer, never past it.
          const p = rtcp ? sender.protectRtcp(buffer, offset, length) : sender.protectRtp(buffer, offset, length);
          assert.ok(p < 0 || offset + p <= buffer.length);
        },
      ),
      { numRuns: RUNS },
    );
    const rtp = valid(false);
    assert.equal(receiver.unprotectRtp(rtp, 0, rtp.length), 200, 'a valid packet still passes');
  });
}
