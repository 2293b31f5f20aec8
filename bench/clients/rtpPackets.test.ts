/** The synthetic packets parse as RTP and their tag survives a server rewriting the header. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asksForKeyframe, isRtcp, RtpWriter, tagOffset, tagSendTime, tagSession } from './rtpPackets.js';
import { vp8KeyframeStart } from '../../packages/media-server/src/rtp/keyframes.js';

const fields = { ssrc: 0xdeadbeef, sequence: 70_000, timestamp: 2 ** 32 + 5, marker: true, transportSequence: 9, frameStart: true, keyframe: false, sendTimeMs: 1234.5678, session: 42 };

test('a written video packet carries its header fields and tag', () => {
  const writer = new RtpWriter({ payloadType: 96, packetBytes: 1200, mid: '1', kind: 'video' });
  const p = writer.write(fields);
  assert.equal(p.length, 1200);
  assert.equal(p[0], 0x90);
  assert.equal(p[1], 0x80 | 96);
  assert.equal(p.readUInt16BE(2), 70_000 & 0xffff);
  assert.equal(p.readUInt32BE(4), 5);
  assert.equal(p.readUInt32BE(8), 0xdeadbeef);
  assert.equal(isRtcp(p), false);
  const at = tagOffset(p);
  assert.ok(at > 0);
  assert.equal(tagSendTime(p, at), 1234.5678);
  assert.equal(tagSession(p, at), 42);
});

test('the tag is found after a server replaces the header extensions', () => {
  const writer = new RtpWriter({ payloadType: 111, packetBytes: 148, mid: '0', kind: 'audio' });
  const original = writer.write({ ...fields, marker: false });
  const payload = original.subarray(28);
  // A server's version: no extensions at all, and one with a longer extension block.
  const bare = Buffer.concat([Buffer.from([0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2]), payload]);
  const longer = Buffer.concat([Buffer.from([0x90, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0, 2, 0x10, 1, 0x22, 0, 0, 0, 0, 0]), payload]);
  for (const p of [bare, longer]) {
    const at = tagOffset(p);
    assert.equal(tagSendTime(p, at), 1234.5678);
  }
  assert.equal(tagOffset(Buffer.from([0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3])), -1, 'a packet without a tag');
  assert.equal(isRtcp(Buffer.from([0x80, 200, 0, 6])), true);
});

test('video frames are keyframes when asked, as a browser answers a PLI; PLI and FIR are recognised in compound RTCP', () => {
  const writer = new RtpWriter({ payloadType: 96, packetBytes: 1200, mid: '1', kind: 'video' });
  const payloadOf = (p: Buffer) => p.subarray(28);
  assert.equal(vp8KeyframeStart(payloadOf(writer.write({ ...fields, keyframe: true }))), true);
  assert.equal(vp8KeyframeStart(payloadOf(writer.write(fields))), false);
  const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
  const pli = Buffer.from([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
  const fir = Buffer.from([0x84, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0]);
  assert.equal(asksForKeyframe(Buffer.concat([rr, pli])), true);
  assert.equal(asksForKeyframe(fir), true);
  assert.equal(asksForKeyframe(rr), false);
});
