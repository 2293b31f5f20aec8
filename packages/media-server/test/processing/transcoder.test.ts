/**
 * Transcoder units with real media: what comes out decodes as the target codec (ffprobe reads
 * the file gst-launch muxed from the output RTP, with the profile the sink negotiated) and shows
 * the picture that went in. Keyframes flow both ways; one unit feeds many sinks.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { ProcessingBackend, ProcessingError, type ProcessingUnit } from '../../src/processing/index.js';
import { h264KeyframeStart, vp8KeyframeStart } from '../../src/rtp/keyframes.js';
import { rtpHeaderLength } from '../../src/rtp/rtpHeader.js';
import { setLogLevel } from '../../src/support/logger.js';
import type { RtpCodec } from '../../src/types/media.js';
import { ASTRONAUT, EncodedCapture, LumaReceiver, RECEIVER, SENDER_ENCODERS, audioSender, capsFromOutput, ffprobe, meanDifference, rawSource, referenceLuma, rtpSender } from './helpers/media.js';
import { AAC, H264, H264_MODE0, OPUS, VP8, VP9, childPids, sleep } from './helpers/units.js';

setLogLevel('silent');
const backend = new ProcessingBackend();
const dir = mkdtempSync(join(tmpdir(), 'kts-transcode-'));
let reference: Buffer;

before(async () => {
  reference = await referenceLuma(ASTRONAUT);
});
after(async () => {
  await backend.closeAll();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(childPids(), []);
});

const payload = (packet: Buffer): Buffer => packet.subarray(rtpHeaderLength(packet));

/** Streams `frames` of the astronaut in `encoder` through `unit`; resolves when the sender is done. */
async function stream(unit: ProcessingUnit, encoder: string, frames: number, tap: (packet: Buffer) => Buffer | undefined = (p) => p): Promise<void> {
  const sender = rtpSender(rawSource(ASTRONAUT, frames), encoder, (p) => {
    const kept = tap(p);
    if (kept) unit.push(kept);
  });
  await sender.exited;
  await sleep(400);
}

test('VP8 → H.264 Constrained Baseline, packetization-mode 1: ffprobe reads H.264 of that profile, the picture is the input', async (t) => {
  const unit = await backend.createTranscoder({ input: VP8, output: H264 });
  const file = join(dir, 'out.h264');
  const capture = new EncodedCapture(RECEIVER.H264.caps, 'rtph264depay ! h264parse ! video/x-h264,stream-format=byte-stream', file);
  const receiver = new LumaReceiver(RECEIVER.H264.caps, RECEIVER.H264.decode);
  // One unit, two sinks: every packet goes to both.
  unit.packets.add((p) => capture.push(p));
  unit.packets.add((p) => receiver.push(p));
  t.after(() => Promise.all([unit.close(), receiver.stop()]));
  await stream(unit, SENDER_ENCODERS.VP8, 60);
  await capture.finish();
  const probed = await ffprobe(file);
  assert.equal(probed.codec_name, 'h264');
  assert.equal(probed.profile, 'Constrained Baseline');
  assert.deepEqual([probed.width, probed.height], [640, 480]);
  assert.ok(Number(probed.nb_read_frames) >= 50, `${probed.nb_read_frames} frames decoded`);
  const last = receiver.last;
  assert.ok(last && meanDifference(last, reference) < 15, `the picture that went in (${last ? meanDifference(last, reference).toFixed(1) : '-'})`);
  const caps = unit.currentOutputCaps;
  assert.equal(caps?.['encoding-name'], 'H264');
  assert.equal(caps?.['payload'], 102);
  assert.equal(caps?.['packetization-mode'], '1');
  assert.match(String(caps?.['profile-level-id']), /^42[ce]0/, 'constrained baseline in the output caps');
  assert.match(String(caps?.['sprop-parameter-sets']), /^Z0/, 'with the SPS and PPS');
});

test('packetization-mode 0: every output packet is a single NAL unit (no FU-A, no STAP-A), and it decodes', async (t) => {
  const unit = await backend.createTranscoder({ input: VP8, output: H264_MODE0 });
  const types = new Set<number>();
  const file = join(dir, 'mode0.h264');
  const capture = new EncodedCapture(RECEIVER.H264.caps.replace('payload=102', 'payload=104'), 'rtph264depay ! h264parse ! video/x-h264,stream-format=byte-stream', file);
  unit.packets.add((p) => {
    types.add((payload(p)[0] ?? 0) & 0x1f);
    assert.equal(p[1]! & 0x7f, 104, 'the payload type of the sink');
    capture.push(p);
  });
  t.after(() => unit.close());
  await stream(unit, SENDER_ENCODERS.VP8, 45);
  await capture.finish();
  assert.ok(types.size > 0);
  for (const type of types) assert.ok(type >= 1 && type <= 23, `NAL type ${type} is a single NAL unit`);
  assert.ok(Number((await ffprobe(file)).nb_read_frames) >= 35);
});

test('H.264 → VP8: ffprobe reads VP8, the picture is the input', async (t) => {
  const unit = await backend.createTranscoder({ input: H264, output: VP8 });
  const file = join(dir, 'out.webm');
  const capture = new EncodedCapture(RECEIVER.VP8.caps, 'rtpvp8depay ! webmmux', file);
  const receiver = new LumaReceiver(RECEIVER.VP8.caps, RECEIVER.VP8.decode);
  unit.packets.add((p) => capture.push(p));
  unit.packets.add((p) => receiver.push(p));
  t.after(() => Promise.all([unit.close(), receiver.stop()]));
  await stream(unit, SENDER_ENCODERS.H264, 60);
  await capture.finish();
  const probed = await ffprobe(file);
  assert.equal(probed.codec_name, 'vp8');
  assert.ok(Number(probed.nb_read_frames) >= 50, `${probed.nb_read_frames} frames`);
  const last = receiver.last;
  assert.ok(last && meanDifference(last, reference) < 15);
});

test('VP9 → VP8 and VP9 → H.264 High', async (t) => {
  const high: RtpCodec = { ...H264, parameters: { 'packetization-mode': '1', 'profile-level-id': '640c1f' } };
  const toVp8 = await backend.createTranscoder({ input: VP9, output: VP8 });
  const toH264 = await backend.createTranscoder({ input: VP9, output: high });
  const vp8File = join(dir, 'vp9.webm');
  const h264File = join(dir, 'vp9.h264');
  const vp8Capture = new EncodedCapture(RECEIVER.VP8.caps, 'rtpvp8depay ! webmmux', vp8File);
  const h264Capture = new EncodedCapture(RECEIVER.H264.caps, 'rtph264depay ! h264parse ! video/x-h264,stream-format=byte-stream', h264File);
  toVp8.packets.add((p) => vp8Capture.push(p));
  toH264.packets.add((p) => h264Capture.push(p));
  t.after(() => Promise.all([toVp8.close(), toH264.close()]));
  const sender = rtpSender(rawSource(ASTRONAUT, 45), SENDER_ENCODERS.VP9, (p) => {
    toVp8.push(p);
    toH264.push(p);
  });
  await sender.exited;
  await sleep(400);
  await Promise.all([vp8Capture.finish(), h264Capture.finish()]);
  const [vp8, h264] = await Promise.all([ffprobe(vp8File), ffprobe(h264File)]);
  assert.equal(vp8.codec_name, 'vp8');
  assert.ok(Number(vp8.nb_read_frames) >= 35);
  assert.equal(h264.codec_name, 'h264');
  assert.equal(h264.profile, 'High');
  assert.ok(Number(h264.nb_read_frames) >= 35);
});

test('keyframes both ways: a sink\'s request makes the encoder send one at once; loss makes the decoder ask its source', async (t) => {
  const unit = await backend.createTranscoder({ input: VP8, output: H264, encoder: { keyframeIntervalFrames: 1000 } });
  const keyframes: number[] = [];
  unit.packets.add((p) => {
    if (h264KeyframeStart(payload(p))) keyframes.push(performance.now());
  });
  let needed = 0;
  unit.keyframeNeeded.add(() => needed++);
  let sent = 0;
  let neededBeforeLoss = Infinity;
  const sender = rtpSender(rawSource(ASTRONAUT, 150), SENDER_ENCODERS.VP8, (p) => {
    sent++;
    if (sent === 200) neededBeforeLoss = needed;
    // Lose five packets once the stream runs: the depayloader sees the gap.
    if (sent < 200 || sent > 205) unit.push(p);
  });
  t.after(() => Promise.all([unit.close(), sender.stop()]));
  await waitFor('the first keyframe', () => keyframes.length > 0, 8000);
  assert.ok(needed >= 1, 'asked for a keyframe when the input started');
  await sleep(500);
  const before = keyframes.length;
  const askedAt = performance.now();
  unit.requestKeyframe();
  await waitFor('a keyframe after the request', () => keyframes.length > before, 2000);
  const delay = (keyframes[before] ?? 0) - askedAt;
  assert.ok(delay < 200, `the next keyframe came ${delay.toFixed(0)} ms after the request`);
  unit.requestKeyframe();
  unit.requestKeyframe();
  assert.equal(unit.stats().keyframesForced, 1, 'requests in a burst are coalesced');
  await waitFor('a keyframe request after the loss', () => sent > 210 && needed > neededBeforeLoss, 8000);
  assert.equal(unit.stats().keyframesNeeded, needed);
});

test('Opus → AAC (mpeg4-generic, what players and recorders take) → Opus: each decodes, the tone survives', async (t) => {
  const toAac = await backend.createTranscoder({ input: OPUS, output: AAC });
  const file = join(dir, 'out.aac');
  t.after(() => toAac.close());
  let capture: EncodedCapture | undefined;
  let back: ProcessingUnit | undefined;
  const opusBytes: number[] = [];
  const early: Buffer[] = [];
  toAac.packets.add((p) => {
    if (capture === undefined || back === undefined) early.push(Buffer.from(p));
    capture?.push(p);
    back?.push(p);
  });
  const sender = audioSender('opusenc bitrate=64000 ! rtpopuspay pt=111', 3, (p) => toAac.push(p));
  await waitFor('the AAC output caps', () => toAac.currentOutputCaps?.['config'], 5000);
  const caps = toAac.currentOutputCaps ?? {};
  assert.equal(caps['encoding-name'], 'MPEG4-GENERIC');
  assert.equal(caps['mode'], 'AAC-hbr');
  assert.equal(caps['clock-rate'], 48000);
  const aacCodec: RtpCodec = {
    mimeType: 'audio/mpeg4-generic',
    clockRate: 48000,
    channels: 2,
    payloadType: 100,
    parameters: Object.fromEntries(['mode', 'config', 'sizelength', 'indexlength', 'indexdeltalength', 'streamtype', 'profile-level-id'].flatMap((k) => (caps[k] === undefined ? [] : [[k, String(caps[k])]]))),
  };
  capture = new EncodedCapture(capsFromOutput(caps), 'rtpmp4gdepay ! aacparse ! audio/mpeg,stream-format=adts', file);
  back = await backend.createTranscoder({ input: aacCodec, output: OPUS });
  const unitBack = back;
  t.after(() => unitBack.close());
  back.packets.add((p) => opusBytes.push(p.length));
  for (const p of early) capture.push(p);
  await sender.exited;
  await sleep(500);
  await capture.finish();
  const probed = await ffprobe(file);
  assert.equal(probed.codec_name, 'aac');
  assert.equal(probed.sample_rate, '48000');
  assert.ok(Number(probed.nb_read_frames) > 60, `${probed.nb_read_frames} AAC frames`);
  assert.ok(opusBytes.length > 50, `${opusBytes.length} Opus packets back`);
  assert.equal(back.currentOutputCaps?.['encoding-name'], 'OPUS');
});

test('codecs it cannot make are refused before any process starts', async () => {
  const av1: RtpCodec = { mimeType: 'video/AV1', clockRate: 90000, parameters: {}, payloadType: 45 };
  const high10: RtpCodec = { ...H264, parameters: { 'profile-level-id': '6e001f', 'packetization-mode': '1' } };
  const cases: [Promise<unknown>, RegExp][] = [
    [backend.createTranscoder({ input: av1, output: VP8 }), /^the processing backend cannot decode AV1\/90000$/],
    [backend.createTranscoder({ input: VP8, output: high10 }), /^the processing backend cannot encode H264\/90000 \(packetization-mode=1;profile-level-id=6e001f\)$/],
    [backend.createTranscoder({ input: VP8, output: OPUS }), /^cannot turn VP8\/90000 into opus\/48000\/2: not the same kind of media$/],
  ];
  for (const [attempt, message] of cases) {
    const error = await attempt.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ProcessingError);
    assert.equal(error.code, 'unsupported-codec');
    assert.match(error.message, message);
  }
  assert.equal(backend.liveUnits, 0);
});

test('VP8 keyframes are recognised in a VP8 output too', async (t) => {
  // The filter's VP8 encoder starts with a keyframe a new sink can start from.
  const unit = await backend.createFilter({ command: 'videoflip', filterType: 'VIDEO', input: VP8 });
  let keyframes = 0;
  unit.packets.add((p) => {
    if (vp8KeyframeStart(payload(p))) keyframes++;
  });
  t.after(() => unit.close());
  await stream(unit, SENDER_ENCODERS.VP8, 30);
  assert.ok(keyframes >= 1);
});
