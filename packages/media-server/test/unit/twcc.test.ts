/** The transport-cc feedback generator, checked against the draft's packet layout. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TwccFeedback } from '../../src/rtp/TwccFeedback.js';

function generator(): { twcc: TwccFeedback; sent: Buffer[] } {
  const sent: Buffer[] = [];
  return { twcc: new TwccFeedback((b) => sent.push(b), () => 0x11111111, () => 0x22222222), sent };
}

test('one feedback covers received and lost packets with run-length chunks and 250 µs deltas', () => {
  const { twcc, sent } = generator();
  const t0 = 64_000 * 10 + 1000; // 1 ms after a 64 ms reference boundary
  twcc.onPacket(100, t0);
  twcc.onPacket(101, t0 + 500);
  twcc.onPacket(103, t0 + 1000); // 102 lost
  twcc.flush();
  assert.equal(sent.length, 1);
  const p = sent[0] ?? Buffer.alloc(0);
  assert.equal(p.length % 4, 0, 'padded to 32 bits');
  assert.equal((p[0] ?? 0) & 0x1f, 15, 'FMT 15');
  assert.equal(p[1], 205, 'RTPFB');
  assert.equal(p.readUInt16BE(2), p.length / 4 - 1, 'length in words minus one');
  assert.equal(p.readUInt32BE(4), 0x11111111);
  assert.equal(p.readUInt16BE(12), 100, 'base sequence');
  assert.equal(p.readUInt16BE(14), 4, 'status count');
  assert.equal(p.readUIntBE(16, 3), 10, 'reference time in 64 ms');
  assert.equal(p[19], 0, 'first feedback');
  // chunks: 2 × small delta, 1 × not received, 1 × small delta
  assert.deepEqual([p.readUInt16BE(20), p.readUInt16BE(22), p.readUInt16BE(24)], [(1 << 13) | 2, (0 << 13) | 1, (1 << 13) | 1]);
  assert.deepEqual([p[26], p[27], p[28]], [4, 2, 2], 'deltas of 1 ms, 0.5 ms, 0.5 ms in 250 µs ticks');
});

test('sequence numbers wrap, duplicates are reported once, and the next feedback continues from the last', () => {
  const { twcc, sent } = generator();
  twcc.onPacket(65535, 1_000_000);
  twcc.onPacket(0, 1_000_250);
  twcc.onPacket(0, 1_000_300);
  twcc.flush();
  assert.equal(sent[0]?.readUInt16BE(12), 65535);
  assert.equal(sent[0]?.readUInt16BE(14), 2);
  twcc.onPacket(2, 1_001_000);
  twcc.flush();
  assert.equal(sent[1]?.readUInt16BE(12), 1, 'starts right after the last reported packet, so 1 is reported lost');
  assert.equal(sent[1]?.readUInt16BE(14), 2);
  assert.equal(sent[1]?.[19], 1, 'feedback count increments');
  twcc.flush();
  assert.equal(sent.length, 2, 'nothing new, nothing sent');
});
