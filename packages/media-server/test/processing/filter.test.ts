/**
 * GStreamerFilter units with real media: a picture sent as VP8 RTP by gst-launch goes through
 * the unit, gst-launch decodes what comes out, and the picture is compared with the original:
 * mirrored by `videoflip method=horizontal-flip`, upside down after a live setElementProperty.
 * Bad commands and properties are refused with their message and leave no process behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { ProcessingBackend, ProcessingError } from '../../src/processing/index.js';
import { RtpStreamWriter } from '../../src/processing/rtpStreamFraming.js';
import { setLogLevel } from '../../src/support/logger.js';
import { ASTRONAUT, LumaReceiver, RECEIVER, SENDER_ENCODERS, audioSender, meanDifference, mirrored, rawSource, referenceLuma, rtpSender, upsideDown } from './helpers/media.js';
import { OPUS, VP8, childPids, sleep } from './helpers/units.js';

setLogLevel('silent');
const backend = new ProcessingBackend();
let reference: Buffer;

before(async () => {
  reference = await referenceLuma(ASTRONAUT);
});
after(async () => {
  await backend.closeAll();
  assert.deepEqual(childPids(), [], 'no process left');
});

/** Resolves with the error `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<ProcessingError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProcessingError, `a ProcessingError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

test('videoflip method=horizontal-flip: the picture that comes out is the mirrored input', async (t) => {
  const unit = await backend.createFilter({ command: 'videoflip method=horizontal-flip', filterType: 'VIDEO', input: VP8 });
  const receiver = new LumaReceiver(RECEIVER.VP8.caps, RECEIVER.VP8.decode);
  unit.packets.add((p) => receiver.push(p));
  const sender = rtpSender(rawSource(ASTRONAUT, 60), SENDER_ENCODERS.VP8, (p) => unit.push(p));
  t.after(() => Promise.all([unit.close(), receiver.stop(), sender.stop()]));
  await sender.exited;
  await waitFor('decoded output frames', () => receiver.frames.length >= 3, 5000);
  await sleep(300);
  const last = receiver.last;
  assert.ok(last);
  const toMirror = meanDifference(last, mirrored(reference));
  const toOriginal = meanDifference(last, reference);
  assert.ok(toMirror < 15, `matches the mirrored picture (mean luma difference ${toMirror.toFixed(1)})`);
  assert.ok(toOriginal > 3 * toMirror, `and not the original (${toOriginal.toFixed(1)})`);
  const stats = unit.stats();
  assert.ok(stats.packetsIn > 100 && stats.packetsOut > 100, `packets in and out: ${stats.packetsIn}, ${stats.packetsOut}`);
  assert.equal(stats.packetsDropped, 0);
  await unit.close();
  await receiver.stop();
  assert.equal(unit.state, 'closed');
  assert.equal(backend.liveUnits, 0);
});

test('setElementProperty applies live: the picture turns upside down, same process, no frame lost', async (t) => {
  const unit = await backend.createFilter({ command: 'videoflip', filterType: 'AUTODETECT', input: VP8 });
  const pid = unit.pid;
  const receiver = new LumaReceiver(RECEIVER.VP8.caps, RECEIVER.VP8.decode);
  unit.packets.add((p) => receiver.push(p));
  // Frames (distinct RTP timestamps) in and out after the change: each input frame must come out.
  let changedAt = Infinity;
  const framesIn = new FrameCounter();
  const framesOut = new FrameCounter();
  unit.packets.add((p) => framesOut.count(p, changedAt));
  const sender = rtpSender(rawSource(ASTRONAUT, 150), SENDER_ENCODERS.VP8, (p) => {
    framesIn.count(p, changedAt);
    unit.push(p);
  });
  t.after(() => Promise.all([unit.close(), receiver.stop(), sender.stop()]));
  await waitFor('output', () => receiver.count >= 10, 8000);
  const before = receiver.last;
  assert.ok(before && meanDifference(before, reference) < 15, 'unchanged picture before the change');
  changedAt = performance.now();
  await unit.setProperty('method', 'vertical-flip');
  assert.equal(await unit.getProperty('video-direction'), 'vert');
  unit.requestKeyframe();
  await sender.exited;
  await sleep(300);
  const last = receiver.last;
  assert.ok(last);
  assert.ok(meanDifference(last, upsideDown(reference)) < 15, `upside down after the change (${meanDifference(last, upsideDown(reference)).toFixed(1)})`);
  assert.ok(framesIn.after > 60, `${framesIn.after} frames sent after the change`);
  assert.ok(framesOut.after >= framesIn.after - 2, `every frame came through after the change: ${framesOut.after} out of ${framesIn.after}`);
  assert.equal(unit.pid, pid, 'the same process');
  assert.ok(unit.stats().keyframesForced >= 1);
  await unit.close();
  await receiver.stop();
});

/** Counts the frames (distinct RTP timestamps) of a stream seen after a moment. */
class FrameCounter {
  after = 0;
  private last = -1;

  count(packet: Buffer, from: number): void {
    const ts = packet.readUInt32BE(4);
    if (ts !== this.last && performance.now() >= from) this.after++;
    this.last = ts;
  }
}

test('setElementProperty of a property the element lacks, or of a bad value, is refused and the unit goes on', async (t) => {
  const unit = await backend.createFilter({ command: 'videobalance', filterType: 'VIDEO', input: VP8 });
  t.after(() => unit.close());
  const missing = await refusal(unit.setProperty('nosuchproperty', '1'));
  assert.equal(missing.code, 'no-such-property');
  assert.equal(missing.message, "element 'videobalance' has no property 'nosuchproperty'");
  const badValue = await refusal(unit.setProperty('saturation', 'lots'));
  assert.equal(badValue.code, 'invalid-value');
  assert.match(badValue.message, /^cannot set 'saturation' to "lots"/);
  const badName = await refusal(unit.setProperty('no such', '1'));
  assert.equal(badName.code, 'no-such-property');
  await unit.setProperty('saturation', '0');
  assert.equal(await unit.getProperty('saturation'), 0);
  assert.equal(unit.state, 'running');
  await unit.close();
});

test('bad commands are refused with their reason, at inspection and at creation, and leave nothing running', async () => {
  const cases: [command: string, code: string, message: RegExp][] = [
    ['', 'invalid-command', /^the command is empty/],
    ['videoflip ! videoflip', 'not-one-element', /links elements with '!'/],
    ['videotestsrc ! autovideosink', 'not-one-element', /links elements with '!'/],
    ['bin. ( videoflip )', 'not-one-element', /'bin.' refers to another element/],
    ['( videoflip )', 'not-one-element', /bins are not allowed/],
    ['videoflip videobalance', 'not-one-element', /'videobalance' is not a property=value pair/],
    ['videoflip method="horizontal-flip', 'invalid-command', /double quote is not closed/],
    ['file:///etc/passwd', 'invalid-command', /is not an element name/],
    ['nosuchelement', 'no-such-element', /^no GStreamer element named 'nosuchelement'$/],
    ['filesink location=/tmp/x', 'not-allowed', /^element 'filesink' is not allowed in a GStreamerFilter/],
    ['multifilesink location=/tmp/x%d', 'not-allowed', /^element 'multifilesink' is not allowed/],
    ['souphttpsrc location=http://127.0.0.1/', 'not-allowed', /^element 'souphttpsrc' is not allowed/],
    ['appsink', 'not-allowed', /^element 'appsink' is not allowed/],
    ['shmsink socket-path=/tmp/s', 'not-allowed', /^element 'shmsink' is not allowed/],
    ['videoflip nosuch=1', 'invalid-command', /^the command does not parse: no property "nosuch" in element "videoflip"/],
    ['videoflip method=bogus', 'invalid-command', /^the command does not parse: could not set property "method" in element "videoflip" to "bogus"/],
    ['videobalance saturation=lots', 'invalid-command', /^the command does not parse: could not set property "saturation"/],
  ];
  for (const [command, code, message] of cases) {
    const inspected = await refusal(backend.inspectFilterCommand(command, 'VIDEO'));
    assert.equal(inspected.code, code, `inspect '${command}': ${inspected.message}`);
    assert.match(inspected.message, message, `inspect '${command}'`);
    const created = await refusal(backend.createFilter({ command, filterType: 'VIDEO', input: VP8 }));
    assert.equal(created.code, code, `create '${command}': ${created.message}`);
    assert.match(created.message, message, `create '${command}'`);
  }
  assert.equal(backend.liveUnits, 0);
  assert.deepEqual(childPids(), [], 'no process left by a refusal');
});

test('filterType: AUTODETECT reads the element\'s pads; a type the element does not take is refused', async () => {
  const video = await backend.inspectFilterCommand('videoflip method=horizontal-flip', 'AUTODETECT');
  assert.equal(video.kind, 'VIDEO');
  assert.deepEqual(video.properties['video-direction'], { type: 'GstVideoOrientationMethod', writable: true });
  assert.equal((await backend.inspectFilterCommand('volume volume=0.5', 'AUTODETECT')).kind, 'AUDIO');
  const caps = await refusal(backend.inspectFilterCommand('capsfilter caps=video/x-raw', 'AUTODETECT'));
  assert.equal(caps.message, "cannot tell whether 'capsfilter' filters audio or video: give filterType AUDIO or VIDEO");
  assert.equal((await backend.inspectFilterCommand('capsfilter caps=video/x-raw', 'VIDEO')).kind, 'VIDEO');
  const wrongType = await refusal(backend.inspectFilterCommand('videoflip', 'AUDIO'));
  assert.equal(wrongType.message, "element 'videoflip' does not take audio");
  const wrongInput = await refusal(backend.createFilter({ command: 'videoflip', filterType: 'VIDEO', input: OPUS }));
  assert.equal(wrongInput.message, 'a VIDEO filter cannot process audio (opus/48000/2)');
  const audioOnVideo = await refusal(backend.createFilter({ command: 'volume', filterType: 'AUTODETECT', input: VP8 }));
  assert.equal(audioOnVideo.message, "element 'volume' filters audio, not video");
  assert.deepEqual(childPids(), []);
});

test('an audio filter: volume volume=0.1 on Opus gives Opus at a tenth of the level', async (t) => {
  const levels: number[] = [];
  for (const volume of ['1.0', '0.1']) {
    const unit = await backend.createFilter({ command: `volume volume=${volume}`, filterType: 'AUDIO', input: OPUS });
    t.after(() => unit.close());
    const decoder = new AudioLevel();
    unit.packets.add((p) => decoder.push(p));
    const sender = audioSender('opusenc bitrate=64000 ! rtpopuspay pt=111', 2, (p) => unit.push(p));
    await sender.exited;
    await sleep(300);
    levels.push(await decoder.rms());
    await unit.close();
  }
  const [full, tenth] = levels as [number, number];
  assert.ok(full > 1000, `a tone comes through (rms ${full.toFixed(0)})`);
  assert.ok(Math.abs(tenth / full - 0.1) < 0.03, `volume=0.1 gives a tenth of the level: ${(tenth / full).toFixed(3)}`);
});

/** Decodes Opus RTP with gst-launch to S16 samples and measures their RMS. */
class AudioLevel {
  private readonly process = spawn('/usr/bin/gst-launch-1.0', ['-q', 'fdsrc', 'fd=0', '!', 'application/x-rtp-stream,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111', '!', 'rtpstreamdepay', '!', 'rtpopusdepay', '!', 'opusdec', '!', 'audioconvert', '!', 'audio/x-raw,format=S16LE,channels=1', '!', 'fdsink', 'fd=1'], { stdio: ['pipe', 'pipe', 'ignore'] });
  private readonly writer = new RtpStreamWriter(this.process.stdin);
  private readonly chunks: Buffer[] = [];
  private readonly exited = new Promise((resolve) => this.process.once('exit', resolve));

  constructor() {
    this.process.stdout.on('data', (c: Buffer) => this.chunks.push(c));
    this.process.stdin.on('error', () => undefined);
  }

  push(packet: Buffer): void {
    this.writer.push(packet);
  }

  async rms(): Promise<number> {
    this.writer.flush();
    this.process.stdin.end();
    await Promise.race([this.exited, sleep(5000).then(() => this.process.kill('SIGKILL'))]);
    const samples = Buffer.concat(this.chunks);
    // skip the first half second (encoder and decoder start-up)
    let sum = 0;
    let n = 0;
    for (let i = 48000; i + 1 < samples.length; i += 2) {
      const v = samples.readInt16LE(i);
      sum += v * v;
      n++;
    }
    return Math.sqrt(sum / Math.max(1, n));
  }
}
