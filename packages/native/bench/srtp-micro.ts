/**
 * Per-packet SRTP cost, isolated: unprotect then protect one 1,200-byte-payload RTP packet (the
 * forwarding pair), our TypeScript SrtpContext against the addon's in-place sessions. Best of 5
 * runs; a shared machine makes single figures noisy.
 *
 *   npx tsx packages/native/bench/srtp-micro.ts [--packets 100000]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SrtpContext, type SrtpProfile } from '../../media-server/src/rtp/SrtpContext.js';
import { NATIVE_SRTP_PROFILES, NativeSrtpSession, type NativeSrtpProfile } from '../src/index.js';

const { values } = parseArgs({ options: { packets: { type: 'string', default: '100000' } } });
const N = Number(values.packets);
const HEADER = 12;
const PAYLOAD = 1200;

function best(run: () => void): number {
  let ns = Infinity;
  for (let r = 0; r < 5; r++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    ns = Math.min(ns, ((used.user + used.system) * 1000) / N);
  }
  return ns;
}

/** A sender's stream of packets, protected up front: the receiver's input. */
function stream(protect: (plain: Buffer) => Buffer): Buffer[] {
  return Array.from({ length: N }, (_, i) => {
    const plain = Buffer.alloc(HEADER + PAYLOAD, 0x5a);
    plain[0] = 0x80;
    plain[1] = 96;
    plain.writeUInt16BE(i & 0xffff, 2);
    plain.writeUInt32BE(0x1234, 8);
    return protect(plain);
  });
}

console.log('| per packet (1,200-byte payload), best of 5 | TypeScript SrtpContext | native | TypeScript / native |\n|---|---:|---:|---:|');
for (const profile of ['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80'] as const satisfies readonly (SrtpProfile & NativeSrtpProfile)[]) {
  const sizes = NATIVE_SRTP_PROFILES[profile];
  const key = randomBytes(16);
  const salt = randomBytes(sizes.saltLength);
  const sender = new SrtpContext(profile, key, salt);
  const packets = stream((p) => sender.protect(p.subarray(0, HEADER), HEADER, p.subarray(HEADER)));
  let tsIn = new SrtpContext(profile, key, salt);
  let tsOut = new SrtpContext(profile, key, salt);
  const ts = best(() => {
    tsIn = new SrtpContext(profile, key, salt);
    tsOut = new SrtpContext(profile, key, salt);
    for (const original of packets) {
      const p = Buffer.from(original);
      const end = tsIn.unprotect(p);
      tsOut.protect(p.subarray(0, HEADER), HEADER, p.subarray(HEADER, end));
    }
  });
  const copies = packets.map((p) => Buffer.alloc(p.length + 16));
  let nativeIn = new NativeSrtpSession(profile, key, salt);
  let nativeOut = new NativeSrtpSession(profile, key, salt);
  const native = best(() => {
    nativeIn = new NativeSrtpSession(profile, key, salt);
    nativeOut = new NativeSrtpSession(profile, key, salt);
    for (let i = 0; i < N; i++) {
      const p = copies[i] ?? Buffer.alloc(0);
      const original = packets[i] ?? Buffer.alloc(0);
      original.copy(p);
      const end = nativeIn.unprotectRtp(p, 0, original.length);
      if (end < 0) throw new Error('native unprotect refused a valid packet');
      nativeOut.protectRtp(p, 0, end);
    }
  });
  // Both include one copy of the packet per iteration (Buffer.from / copy), as a receive would.
  console.log(`| ${profile}: unprotect + protect | ${(ts / 1000).toFixed(2)} µs | ${(native / 1000).toFixed(2)} µs | ${(ts / native).toFixed(1)}× |`);
}
