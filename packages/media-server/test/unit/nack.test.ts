import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NackGenerator, serializeNack } from '../../src/rtp/NackGenerator.js';

/** The sequence numbers a Generic NACK asks for, read back from its PID/BLP pairs. */
function requested(packet: Buffer): number[] {
  assert.equal(packet[0], 0x81, 'V=2, FMT=1');
  assert.equal(packet[1], 205, 'RTPFB');
  assert.equal((packet.readUInt16BE(2) + 1) * 4, packet.length);
  const seqs: number[] = [];
  for (let o = 12; o < packet.length; o += 4) {
    const pid = packet.readUInt16BE(o);
    const blp = packet.readUInt16BE(o + 2);
    seqs.push(pid);
    for (let b = 0; b < 16; b++) if (blp & (1 << b)) seqs.push((pid + b + 1) & 0xffff);
  }
  return seqs;
}

function generator(policy?: ConstructorParameters<typeof NackGenerator>[3]) {
  const sent: Buffer[] = [];
  const nack = new NackGenerator(0x1111, 0x2222, (p) => sent.push(p), policy);
  return { nack, sent };
}

test('a Generic NACK packs nearby losses into PID + bitmask words', () => {
  const p = serializeNack(7, 9, [100, 101, 116, 117, 200]);
  assert.equal(p.readUInt32BE(4), 7);
  assert.equal(p.readUInt32BE(8), 9);
  assert.equal(p.length, 12 + 3 * 4, '100 (+101, +116), 117, 200');
  assert.deepEqual(requested(p), [100, 101, 116, 117, 200]);
});

test('a gap is NACKed at once, then again while missing, never after recovery', () => {
  const { nack, sent } = generator({ retryMs: 50, maxTries: 3, maxAgeMs: 500, maxMissing: 64 });
  nack.onPacket(10, 0);
  nack.onPacket(11, 1);
  assert.equal(sent.length, 0, 'no loss, no NACK');
  nack.onPacket(14, 2);
  assert.deepEqual(requested(sent[0] ?? Buffer.alloc(0)), [12, 13]);
  nack.onPacket(15, 20);
  assert.equal(sent.length, 1, 'not again before the retry interval');
  nack.onPacket(12, 30); // retransmission arrives
  nack.onPacket(16, 60);
  assert.deepEqual(requested(sent[1] ?? Buffer.alloc(0)), [13], 'only what is still missing');
  nack.onPacket(17, 120);
  nack.onPacket(18, 180);
  nack.onPacket(19, 240);
  assert.equal(sent.length, 3, 'three tries in all');
  nack.onPacket(20, 300);
  assert.equal(sent.length, 3);
  assert.deepEqual(nack.missingSequences(), [], 'forgotten a retry interval after the last try');
});

test('losses across the sequence wrap are named by their 16-bit numbers', () => {
  const { nack, sent } = generator();
  nack.onPacket(65_533, 0);
  nack.onPacket(1, 1);
  assert.deepEqual(requested(sent[0] ?? Buffer.alloc(0)), [65_534, 65_535, 0]);
});

test('old and hopeless losses are given up: too long a gap, too old, out of tries', () => {
  const { nack, sent } = generator({ retryMs: 10, maxTries: 100, maxAgeMs: 100, maxMissing: 32 });
  nack.onPacket(0, 0);
  nack.onPacket(1000, 1);
  assert.equal(sent.length, 0, 'a gap of 999: a keyframe, not retransmissions, recovers that');
  nack.onPacket(1003, 2);
  assert.equal(sent.length, 1);
  for (let t = 1; t <= 20; t++) nack.onPacket(1003 + t, 2 + t * 10);
  assert.deepEqual(nack.missingSequences(), [], 'given up after 100 ms');
  assert.ok(sent.length <= 11, `${sent.length} NACKs in 200 ms at a 10 ms retry`);
});
