import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h264KeyframeStart, keyframeTest, vp8DescriptorLength, vp8KeyframeStart, vp9KeyframeStart } from '../../src/rtp/keyframes.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

test('VP8: a key frame starts where S=1, PID=0 and the frame tag P bit is 0 (RFC 7741)', () => {
  // Chromium's descriptor: X=1 S=1, I=1 with a 15-bit PictureID, then the VP8 frame tag.
  const key = bytes(0x90, 0x80, 0x81, 0x23, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a);
  assert.equal(vp8DescriptorLength(key), 4);
  assert.ok(vp8KeyframeStart(key));
  assert.ok(!vp8KeyframeStart(bytes(0x90, 0x80, 0x81, 0x23, 0x11)), 'P=1: an inter frame');
  assert.ok(!vp8KeyframeStart(bytes(0x80, 0x80, 0x81, 0x23, 0x10)), 'S=0: a continuation');
  assert.ok(!vp8KeyframeStart(bytes(0x91, 0x80, 0x81, 0x23, 0x10)), 'PID=1: another partition');
  assert.ok(vp8KeyframeStart(bytes(0x10, 0x10)), 'no extension: one-byte descriptor');
  assert.equal(vp8DescriptorLength(bytes(0x90, 0xf0, 0x81)), -1, 'truncated');
  assert.ok(!vp8KeyframeStart(bytes()));
});

test('VP9: a frame start (B=1) that is not inter-predicted (P=0)', () => {
  assert.ok(vp9KeyframeStart(bytes(0x88, 0x12)), 'I=1, B=1, 7-bit picture id');
  assert.ok(!vp9KeyframeStart(bytes(0xc8, 0x12)), 'P=1');
  assert.ok(!vp9KeyframeStart(bytes(0x80, 0x12)), 'B=0');
  assert.ok(vp9KeyframeStart(bytes(0xa8, 0x12, 0x00)), 'L=1, spatial layer 0');
  assert.ok(!vp9KeyframeStart(bytes(0xa8, 0x12, 0x02)), 'L=1, spatial layer 1');
});

test('H.264: SPS or IDR, alone, in a STAP-A, or at the start of an FU-A (RFC 6184)', () => {
  assert.ok(h264KeyframeStart(bytes(0x67, 0x42)), 'single SPS');
  assert.ok(h264KeyframeStart(bytes(0x65, 0x88)), 'single IDR');
  assert.ok(!h264KeyframeStart(bytes(0x41, 0x9a)), 'single non-IDR slice');
  assert.ok(h264KeyframeStart(bytes(0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce)), 'STAP-A with SPS and PPS');
  assert.ok(!h264KeyframeStart(bytes(0x78, 0x00, 0x02, 0x06, 0x05)), 'STAP-A with SEI only');
  assert.ok(h264KeyframeStart(bytes(0x7c, 0x85, 0x88)), 'FU-A start of an IDR');
  assert.ok(!h264KeyframeStart(bytes(0x7c, 0x05, 0x88)), 'FU-A middle of an IDR');
  assert.ok(!h264KeyframeStart(bytes(0x7c, 0x81, 0x9a)), 'FU-A start of a non-IDR');
});

test('codecs without a keyframe test are not gated', () => {
  assert.equal(keyframeTest('OPUS'), undefined);
  assert.equal(keyframeTest('VP8'), vp8KeyframeStart);
});
