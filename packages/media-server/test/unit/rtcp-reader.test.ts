/** Our RTCP reader on compound packets as peers send them, and on broken ones. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRtcp, serializePli } from '../../src/rtp/rtcpReader.js';
import { serializeNack } from '../../src/rtp/NackGenerator.js';

function sr(ssrc: number, blocks: Buffer[]): Buffer {
  const p = Buffer.alloc(28);
  p[0] = 0x80 | blocks.length;
  p[1] = 200;
  p.writeUInt16BE((28 + 24 * blocks.length) / 4 - 1, 2);
  p.writeUInt32BE(ssrc, 4);
  p.writeBigUInt64BE(0xe8b4_1234_8000_0000n, 8);
  p.writeUInt32BE(90_000, 16);
  p.writeUInt32BE(300, 20);
  p.writeUInt32BE(360_000, 24);
  return Buffer.concat([p, ...blocks]);
}

function block(ssrc: number, fraction: number, lost: number, lsr: number, dlsr: number): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32BE(ssrc, 0);
  b.writeUInt32BE(((fraction << 24) | (lost & 0xffffff)) >>> 0, 4);
  b.writeUInt32BE(70_000, 8);
  b.writeUInt32BE(450, 12);
  b.writeUInt32BE(lsr, 16);
  b.writeUInt32BE(dlsr, 20);
  return b;
}

const sdes = Buffer.from([0x81, 202, 0, 3, 0, 0, 0, 1, 1, 4, 0x61, 0x62, 0x63, 0x64, 0, 0]);

test('a compound SR + report block + SDES: the sender info, and loss and LSR/DLSR of our stream', () => {
  const facts = readRtcp(Buffer.concat([sr(0x1111, [block(0x2222, 64, -3, 0x12345678, 65_536)]), sdes]));
  assert.deepEqual(facts.senderReports, [{ ssrc: 0x1111, ntp: 0xe8b4_1234_8000_0000n, rtpTimestamp: 90_000, packets: 300, octets: 360_000 }]);
  assert.deepEqual(facts.reportBlocks, [{ ssrc: 0x2222, fractionLost: 0.25, cumulativeLost: -3, highestSequence: 70_000, jitter: 450, lastSr: 0x12345678, delaySinceLastSr: 65_536 }]);
  assert.deepEqual(facts.keyframeRequests, []);
});

test('feedback: Generic NACK, PLI, FIR, REMB and BYE', () => {
  const fir = Buffer.from([0x84, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x33, 0x33, 5, 0, 0, 0]);
  const remb = Buffer.from([0x8f, 206, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0x52, 0x45, 0x4d, 0x42, 1, 0x0a << 2 | 0x01, 0x86, 0xa0, 0, 0, 0x44, 0x44]);
  const bye = Buffer.from([0x81, 203, 0, 1, 0, 0, 0x55, 0x55]);
  const facts = readRtcp(Buffer.concat([serializeNack(1, 0x2222, [100, 101, 117]), serializePli(1, 0x2222), fir, remb, bye]));
  assert.deepEqual(facts.nacks, [{ mediaSsrc: 0x2222, sequences: [100, 101, 117] }]);
  assert.deepEqual(facts.keyframeRequests, [{ mediaSsrc: 0x2222, fir: false }, { mediaSsrc: 0x3333, fir: true }]);
  assert.deepEqual(facts.remb, [{ bitrate: 0x186a0 * 2 ** 10, ssrcs: [0x4444] }]);
  assert.deepEqual(facts.byes, [0x5555]);
});

test('broken RTCP stops the walk without throwing: wrong version, a length past the end, truncated bodies', () => {
  const good = serializePli(1, 2);
  assert.deepEqual(readRtcp(Buffer.concat([good, Buffer.from([0x40, 200, 0, 1, 0, 0, 0, 0])])).keyframeRequests.length, 1);
  assert.deepEqual(readRtcp(Buffer.from([0x81, 206, 0, 9, 0, 0, 0, 1])).keyframeRequests, []);
  assert.deepEqual(readRtcp(Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 1])).senderReports, [], 'an SR too short for its sender info');
  assert.deepEqual(readRtcp(Buffer.alloc(0)).nacks, []);
});
