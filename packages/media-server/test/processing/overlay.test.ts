/**
 * Overlay units with real media. FaceOverlayFilter: the astronaut's face (found by OpenCV's
 * cascade) gets the image, the rest of the picture is untouched, and a picture without a face
 * is left as it is. ImageOverlayFilter: images at ratios of the frame, added and removed by id
 * while the stream runs, from a file or over HTTP.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { ProcessingBackend, ProcessingError, type ProcessingUnit } from '../../src/processing/index.js';
import { setLogLevel } from '../../src/support/logger.js';
import { ASTRONAUT, HEIGHT, LumaReceiver, RECEIVER, SENDER_ENCODERS, WIDTH, meanDifference, meanDifferenceOutside, rawSource, referenceLuma, rtpSender, type Box } from './helpers/media.js';
import { OutputClock, VP8, childPids, sleep } from './helpers/units.js';

setLogLevel('silent');
const backend = new ProcessingBackend();
const dir = mkdtempSync(join(tmpdir(), 'kts-overlay-'));
const RED = join(dir, 'red.png');
/** Where OpenCV's frontal-face cascade finds the astronaut's face in the 640×480 picture. */
const FACE: Box = { x: 217, y: 48, width: 119, height: 119 };
let astronaut: Buffer;
let server: Server;
let imageUrl: string;

before(async () => {
  execFileSync('/usr/bin/gst-launch-1.0', ['-q', 'videotestsrc', 'pattern=red', 'num-buffers=1', '!', 'video/x-raw,width=64,height=64', '!', 'pngenc', '!', 'filesink', `location=${RED}`]);
  writeFileSync(join(dir, 'not-an-image.png'), 'hello');
  astronaut = await referenceLuma(ASTRONAUT);
  const png = readFileSync(RED);
  server = createServer((req, res) => {
    if (req.url === '/red.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/red.png`;
});
after(async () => {
  await backend.closeAll();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(childPids(), []);
});

/** A box shrunk (negative) or grown by `by` pixels on each side, kept inside the frame. */
function inset(box: Box, by: number): Box {
  const x = Math.max(0, box.x + by);
  const y = Math.max(0, box.y + by);
  return { x, y, width: Math.min(WIDTH, box.x + box.width - by) - x, height: Math.min(HEIGHT, box.y + box.height - by) - y };
}

/** Runs a picture through a unit into a luma receiver; the returned sender is already sending. */
function play(unit: ProcessingUnit, picture: string | undefined, frames: number): { receiver: LumaReceiver; done: Promise<unknown> } {
  const receiver = new LumaReceiver(RECEIVER.VP8.caps, RECEIVER.VP8.decode);
  unit.packets.add((p) => receiver.push(p));
  const sender = rtpSender(rawSource(picture, frames), SENDER_ENCODERS.VP8, (p) => unit.push(p));
  // A new sink asks for a keyframe (the unit may be mid-stream), as the element does on connect.
  const ask = setTimeout(() => unit.requestKeyframe(), 500);
  return { receiver, done: sender.exited.then(() => sleep(400)).finally(() => (clearTimeout(ask), receiver.stop())) };
}

test('FaceOverlayFilter: the image covers the detected face and nothing else', async (t) => {
  const unit = await backend.createFaceOverlay({ input: VP8 });
  t.after(() => unit.close());
  const counts: number[] = [];
  unit.faces.add((n) => counts.push(n));
  await unit.setImage(await backend.loadImage({ path: RED }), { offsetXPercent: 0, offsetYPercent: 0, widthPercent: 1, heightPercent: 1 });
  const { receiver, done } = play(unit, ASTRONAUT, 90);
  await done;
  const last = receiver.last;
  assert.ok(last);
  const inFace = meanDifference(last, astronaut, inset(FACE, 20));
  const elsewhere = meanDifferenceOutside(last, astronaut, inset(FACE, -25));
  assert.ok(inFace > 40, `the face is covered (mean luma difference ${inFace.toFixed(1)})`);
  assert.ok(elsewhere < 12, `the rest of the picture is unchanged (${elsewhere.toFixed(1)})`);
  assert.deepEqual(counts, [1], 'one face found');
});

test('FaceOverlayFilter follows the offsets and sizes as ratios of the face (a hat above it)', async (t) => {
  const unit = await backend.createFaceOverlay({ input: VP8 });
  t.after(() => unit.close());
  // Kurento's magic-mirror hat: -0.35, -1.2, 1.6, 1.6 of the face box.
  await unit.setImage(await backend.loadImage({ path: RED }), { offsetXPercent: -0.35, offsetYPercent: -1.2, widthPercent: 1.6, heightPercent: 1.6 });
  const { receiver, done } = play(unit, ASTRONAUT, 90);
  await done;
  const last = receiver.last;
  assert.ok(last);
  const hat: Box = { x: Math.round(FACE.x - 0.35 * FACE.width), y: 0, width: Math.round(1.6 * FACE.width), height: Math.round(FACE.y + 0.4 * FACE.height) };
  assert.ok(meanDifference(last, astronaut, inset(hat, 15)) > 40, 'the image is above the face, clipped at the top');
  const below: Box = { x: 0, y: FACE.y + FACE.height / 2 + 10, width: WIDTH, height: HEIGHT - (FACE.y + FACE.height / 2 + 10) };
  assert.ok(meanDifference(last, astronaut, below) < 12, 'the face itself and below are unchanged');
});

test('FaceOverlayFilter without a face, and after unsetOverlayedImage, leaves the picture as it is', async (t) => {
  const unit = await backend.createFaceOverlay({ input: VP8 });
  t.after(() => unit.close());
  await unit.setImage(await backend.loadImage({ path: RED }), { offsetXPercent: 0, offsetYPercent: 0, widthPercent: 1, heightPercent: 1 });
  const pattern = referencePattern();
  const plain = play(unit, undefined, 45);
  await plain.done;
  const noFace = plain.receiver.last;
  assert.ok(noFace && meanDifference(noFace, await pattern) < 8, 'a test pattern has no face: unchanged');

  await unit.unsetImage();
  const again = play(unit, ASTRONAUT, 45);
  await again.done;
  const unset = again.receiver.last;
  assert.ok(unset && meanDifference(unset, astronaut) < 12, 'no image set: the face shows');
});

test('ImageOverlayFilter: images added and removed by id while the stream runs, from a file and over HTTP', async (t) => {
  const unit = await backend.createImageOverlay({ input: VP8 });
  t.after(() => unit.close());
  const clock = new OutputClock(unit);
  const receiver = new LumaReceiver(RECEIVER.VP8.caps, RECEIVER.VP8.decode);
  unit.packets.add((p) => receiver.push(p));
  const sender = rtpSender(rawSource(ASTRONAUT, 240), SENDER_ENCODERS.VP8, (p) => unit.push(p));
  t.after(() => Promise.all([receiver.stop(), sender.stop()]));
  const a: Box = { x: 32, y: 24, width: 128, height: 96 }; // 0.05, 0.05, 0.2, 0.2 of 640×480
  const b: Box = { x: 448, y: 336, width: 128, height: 96 }; // 0.7, 0.7, 0.2, 0.2
  const settle = async (): Promise<Buffer> => {
    const from = receiver.count;
    await waitFor('fresh frames', () => receiver.count >= from + 8, 5000);
    const last = receiver.last;
    assert.ok(last);
    return last;
  };
  await settle();
  const placement = { widthPercent: 0.2, heightPercent: 0.2, keepAspectRatio: false, center: false };
  await unit.addImage('a', await backend.loadImage({ path: RED }), { ...placement, offsetXPercent: 0.05, offsetYPercent: 0.05 });
  await unit.addImage('b', await backend.loadImage({ url: imageUrl }), { ...placement, offsetXPercent: 0.7, offsetYPercent: 0.7 });
  let frame = await settle();
  assert.ok(meanDifference(frame, astronaut, inset(a, 4)) > 40, 'image a is drawn');
  assert.ok(meanDifference(frame, astronaut, inset(b, 4)) > 40, 'image b is drawn');
  assert.ok(meanDifference(frame, astronaut, { x: 200, y: 200, width: 200, height: 100 }) < 12, 'the middle is untouched');

  const removedAt = performance.now();
  await unit.removeImage('a');
  frame = await settle();
  assert.ok(meanDifference(frame, astronaut, inset(a, 4)) < 12, 'a is gone');
  assert.ok(meanDifference(frame, astronaut, inset(b, 4)) > 40, 'b stays');
  const missing = await unit.removeImage('a').then(() => undefined, (e: unknown) => e);
  assert.ok(missing instanceof ProcessingError && missing.code === 'no-such-image' && missing.message === "no image with id 'a'");
  assert.equal(unit.state, 'running');
  assert.ok(clock.longestGapAfter(removedAt) < 400, 'the stream kept flowing');
  clock.stop();
});

test('overlay images that cannot be had are refused with the reason', async (t) => {
  const unit = await backend.createImageOverlay({ input: VP8 });
  t.after(() => unit.close());
  const refusal = async (attempt: Promise<unknown>): Promise<ProcessingError> => {
    const error = await attempt.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ProcessingError, String(error));
    assert.equal(error.code, 'bad-image');
    return error;
  };
  assert.match((await refusal(backend.loadImage({ path: join(dir, 'missing.png') }))).message, /^cannot read the image .*missing\.png: ENOENT$/);
  assert.match((await refusal(backend.loadImage({ path: dir }))).message, /is not a file$/);
  assert.match((await refusal(backend.loadImage({ url: imageUrl.replace('red', 'nothing') }))).message, /HTTP 404$/);
  assert.match((await refusal(backend.loadImage({ url: 'file:///etc/passwd' }))).message, /^an image URL must be http\(s\), not file:$/);
  const small = new ProcessingBackend({ imageLimits: { maxBytes: 16, timeoutMs: 1000 } });
  assert.match((await refusal(small.loadImage({ url: imageUrl }))).message, /larger than 16 bytes$/);
  assert.match((await refusal(small.loadImage({ path: RED }))).message, /larger than 16 bytes$/);
  const garbage = await backend.loadImage({ path: join(dir, 'not-an-image.png') });
  assert.match((await refusal(unit.addImage('x', garbage, { offsetXPercent: 0, offsetYPercent: 0, widthPercent: 0.1, heightPercent: 0.1, keepAspectRatio: true, center: true }))).message, /^the image cannot be read/);
  assert.equal(unit.state, 'running', 'a bad image harms nothing');
});

/** The SMPTE test pattern as the sender makes it, in luma. */
async function referencePattern(): Promise<Buffer> {
  const out = execFileSync('/usr/bin/gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=1', 'pattern=smpte', '!', `video/x-raw,width=${WIDTH},height=${HEIGHT}`, '!', 'videoconvert', '!', 'video/x-raw,format=GRAY8', '!', 'fdsink', 'fd=1'], { maxBuffer: 4 * WIDTH * HEIGHT });
  return out.subarray(0, WIDTH * HEIGHT);
}
