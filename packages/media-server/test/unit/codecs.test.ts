import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canForward, codecLabel, forwardingTarget, h264Profile, parseFmtp } from '../../src/rtp/codecs.js';
import type { RtpCodec } from '../../src/types/media.js';

const h264 = (fmtp: string, payloadType = 102): RtpCodec => ({ mimeType: 'video/H264', clockRate: 90000, parameters: parseFmtp(fmtp), payloadType });
const vp8 = (payloadType = 96): RtpCodec => ({ mimeType: 'video/VP8', clockRate: 90000, parameters: {}, payloadType });
const opus = (channels: number | undefined, payloadType = 111): RtpCodec => ({ mimeType: 'audio/opus', clockRate: 48000, channels, parameters: parseFmtp('minptime=10;useinbandfec=1'), payloadType });

test('fmtp parameters: keys lower case, values kept, flags without a value', () => {
  assert.deepEqual(parseFmtp('level-asymmetry-allowed=1;Packetization-Mode=1; profile-level-id=42e01f;x'), {
    'level-asymmetry-allowed': '1', 'packetization-mode': '1', 'profile-level-id': '42e01f', x: '',
  });
  assert.deepEqual(parseFmtp(undefined), {});
});

test('H.264 profiles from profile-level-id (what Chromium offers)', () => {
  assert.equal(h264Profile('42e01f'), 'ConstrainedBaseline');
  assert.equal(h264Profile('42001f'), 'Baseline');
  assert.equal(h264Profile('4d001f'), 'Main');
  assert.equal(h264Profile('4d801f'), 'ConstrainedBaseline');
  assert.equal(h264Profile('640c1f'), 'ConstrainedHigh');
  assert.equal(h264Profile('64001f'), 'High');
  assert.equal(h264Profile(undefined), 'Baseline', 'RFC 6184: absent means 42000A');
  assert.equal(h264Profile('xyz'), undefined);
});

test('codecs match by name, clock, channels and the parameters that change the bitstream, never by payload type', () => {
  assert.ok(canForward(vp8(96), vp8(120)), 'VP8 under another number is still VP8');
  assert.ok(!canForward(vp8(), h264('packetization-mode=1;profile-level-id=42e01f')), 'VP8 is not H.264');
  assert.ok(canForward(opus(2), opus(2, 109)));
  assert.ok(!canForward(opus(2), opus(1)), 'stereo Opus is not mono');
  const cb1 = h264('packetization-mode=1;profile-level-id=42e01f');
  assert.ok(canForward(cb1, h264('level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034', 127)), 'level does not matter');
  assert.ok(!canForward(cb1, h264('packetization-mode=0;profile-level-id=42e01f')), 'packetization mode does');
  assert.ok(!canForward(cb1, h264('packetization-mode=1;profile-level-id=640c1f')), 'profile does');
  assert.ok(canForward(cb1, h264('packetization-mode=1;profile-level-id=42001f')), 'Constrained Baseline is valid Baseline');
  assert.ok(!canForward(h264('packetization-mode=1;profile-level-id=42001f'), cb1), 'but not the other way round');
});

test('the forwarding target is the first matching media codec of the sink; labels name what matters', () => {
  const sink = [{ mimeType: 'video/rtx', clockRate: 90000, parameters: { apt: '96' }, payloadType: 97 }, vp8(96), h264('packetization-mode=1;profile-level-id=42e01f', 125), h264('packetization-mode=1;profile-level-id=42e01f', 127)];
  assert.equal(forwardingTarget(h264('profile-level-id=42e01f;packetization-mode=1', 102), sink)?.payloadType, 125);
  assert.equal(forwardingTarget(vp8(100), sink)?.payloadType, 96);
  assert.equal(forwardingTarget(opus(2), sink), undefined);
  assert.equal(codecLabel(h264('level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f')), 'H264/90000 (packetization-mode=1;profile-level-id=42e01f)');
  assert.equal(codecLabel(opus(2)), 'opus/48000/2');
});
