/**
 * Isolation: a unit whose GStreamer process is killed or hangs fails alone, promptly and
 * loudly, and can still be closed; the other units go on. Close gives back every process, pipe
 * and timer. Without GStreamer (or one of its plugins) the answer names what to install.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { ProcessingBackend, ProcessingError, type ProcessingUnit } from '../../src/processing/index.js';
import { setLogLevel } from '../../src/support/logger.js';
import { ASTRONAUT, LumaReceiver, RECEIVER, SENDER_ENCODERS, meanDifference, mirrored, rawSource, referenceLuma, rtpSender } from './helpers/media.js';
import { H264, VP8, alive, childPids, handleCounts, sleep } from './helpers/units.js';

setLogLevel('silent');
// Tight watchdog settings so that a hang shows within a second or two.
const backend = new ProcessingBackend({ watchdogIntervalMs: 200, requestTimeoutMs: 600, stallTimeoutMs: 1500 });
after(() => backend.closeAll());

/** The first failure of a unit, or undefined after `ms`. */
function firstFailure(unit: ProcessingUnit, ms: number): Promise<{ error: ProcessingError; at: number } | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    unit.failed.add((error) => {
      clearTimeout(timer);
      resolve({ error, at: performance.now() });
    });
  });
}

test('kill -9 of one unit\'s process: that unit fails at once with the reason, the other keeps playing and can be checked', async (t) => {
  const reference = await referenceLuma(ASTRONAUT);
  const doomed = await backend.createFilter({ command: 'videoflip method=horizontal-flip', filterType: 'VIDEO', input: VP8 });
  const survivor = await backend.createFilter({ command: 'videoflip method=horizontal-flip', filterType: 'VIDEO', input: VP8 });
  const receiver = new LumaReceiver(RECEIVER.VP8.caps, RECEIVER.VP8.decode);
  survivor.packets.add((p) => receiver.push(p));
  const sender = rtpSender(rawSource(ASTRONAUT, 300), SENDER_ENCODERS.VP8, (p) => {
    doomed.push(p);
    survivor.push(p);
  });
  t.after(() => Promise.all([doomed.close(), survivor.close(), receiver.stop(), sender.stop()]));
  await waitFor('both units giving output', () => doomed.stats().packetsOut > 30 && survivor.stats().packetsOut > 30, 8000);

  const failure = firstFailure(doomed, 3000);
  const pid = doomed.pid;
  assert.ok(pid !== undefined);
  const killedAt = performance.now();
  process.kill(pid, 'SIGKILL');
  const failed = await failure;
  assert.ok(failed, 'the killed unit reported a failure');
  assert.equal(failed.error.code, 'crashed');
  assert.match(failed.error.message, new RegExp(`^the GStreamer process of the filter videoflip unit \\(pid ${pid}\\) was killed by SIGKILL`));
  assert.ok(failed.at - killedAt < 500, `reported ${(failed.at - killedAt).toFixed(0)} ms after the kill`);
  assert.equal(doomed.state, 'failed');
  assert.equal(doomed.error, failed.error);
  const refused = await (doomed as unknown as { request(op: string): Promise<unknown> }).request('ping').then(() => undefined, (e: unknown) => e);
  assert.equal(refused, failed.error, 'requests to a failed unit answer its failure');

  const before = survivor.stats().packetsOut;
  await sleep(1000);
  assert.equal(sender.process.exitCode, null, 'the sender still sends');
  assert.ok(survivor.stats().packetsOut > before + 30, `the other unit still gives output (${survivor.stats().packetsOut - before} packets in a second)`);
  assert.equal(survivor.state, 'running');
  const last = receiver.last;
  assert.ok(last && meanDifference(last, mirrored(reference)) < 15, 'and its picture is still right');
  await doomed.close();
  assert.equal(doomed.state, 'failed', 'a failed unit closes and stays failed');
  assert.ok(!alive(pid));
});

test('a hung process (SIGSTOP) is detected: no answer to the watchdog, no output while input flows', async (t) => {
  const unit = await backend.createFilter({ command: 'videoflip', filterType: 'VIDEO', input: VP8 });
  const sender = rtpSender(rawSource(ASTRONAUT, 150), SENDER_ENCODERS.VP8, (p) => unit.push(p));
  t.after(() => Promise.all([unit.close(), sender.stop()]));
  await waitFor('output', () => unit.stats().packetsOut > 20, 8000);
  const pid = unit.pid;
  assert.ok(pid !== undefined);
  const failure = firstFailure(unit, 5000);
  const stoppedAt = performance.now();
  process.kill(pid, 'SIGSTOP');
  const failed = await failure;
  assert.ok(failed, 'the hang was reported');
  assert.equal(failed.error.code, 'hung');
  assert.match(failed.error.message, /did not answer 'ping' within 600 ms|gave no output for \d+ ms while its input flowed/);
  assert.ok(failed.at - stoppedAt < 2500, `reported ${(failed.at - stoppedAt).toFixed(0)} ms after the process stopped`);
  await unit.close();
  assert.ok(!alive(pid), 'the hung process was killed');
});

test('a unit that is fed nothing is not called hung; one that stops producing while fed is', async (t) => {
  const idle = await backend.createTranscoder({ input: VP8, output: H264 });
  t.after(() => idle.close());
  await sleep(2500);
  assert.equal(idle.state, 'running', 'no input, no output: healthy');
  // Input that never decodes (no keyframe ever: random bytes behind valid RTP headers) gives no output.
  const failure = firstFailure(idle, 6000);
  const packet = Buffer.alloc(200);
  let seq = 0;
  const feeder = setInterval(() => {
    packet.writeUInt8(0x80, 0);
    packet.writeUInt8(96, 1);
    packet.writeUInt16BE(seq++ & 0xffff, 2);
    packet.writeUInt32BE(seq * 3000, 4);
    packet.writeUInt32BE(0x1234, 8);
    packet.fill(0xa5, 12);
    packet[12] = 0x10; // a VP8 descriptor: start of partition, and an interframe tag that never becomes a keyframe
    packet[13] = 0x01;
    idle.push(packet);
  }, 20);
  t.after(() => clearInterval(feeder));
  const failed = await failure;
  clearInterval(feeder);
  assert.ok(failed, 'a stall was reported');
  assert.equal(failed.error.code, 'hung');
  assert.match(failed.error.message, /^the transcoder VP8\/90000 → H264\/90000 \(packetization-mode=1;profile-level-id=42e01f\) unit gave no output for \d+ ms while its input flowed$/);
  assert.ok(idle.stats().keyframesNeeded >= 1, 'it asked its source for a keyframe on the way');
});

test('close gives back every process, pipe and timer', async () => {
  await sleep(300); // let the earlier tests' senders finish closing
  const baseline = handleCounts();
  const units = await Promise.all([
    backend.createFilter({ command: 'videoflip', filterType: 'VIDEO', input: VP8 }),
    backend.createTranscoder({ input: VP8, output: H264 }),
    backend.createBarcodeScanner({ input: VP8 }),
  ]);
  assert.equal(backend.liveUnits, 3);
  assert.equal(childPids().length, 3);
  const during = handleCounts();
  assert.ok((during['PipeWrap'] ?? 0) > (baseline['PipeWrap'] ?? 0), 'pipes are open while they run');
  await Promise.all(units.map((u) => u.close()));
  await Promise.all(units.map((u) => u.close())); // twice: nothing more happens
  assert.equal(backend.liveUnits, 0);
  assert.deepEqual(childPids(), []);
  await sleep(50);
  const now = handleCounts();
  for (const [kind, count] of Object.entries(now)) assert.ok(count <= (baseline[kind] ?? 0), `${kind}: ${count} now, ${baseline[kind] ?? 0} before the units`);
  for (const u of units) assert.equal(u.state, 'closed');
  const closed = await units[0].setProperty('method', 'none').then(() => undefined, (e: unknown) => e);
  assert.ok(closed instanceof ProcessingError && closed.code === 'closed', 'requests to a closed unit are refused');
});

test('without Python\'s GStreamer bindings: availability says so, each unit answers with the packages to install, nothing else breaks', async () => {
  const missing = new ProcessingBackend({ python: '/nonexistent/python3' });
  const availability = await missing.availability();
  assert.equal(availability.available, false);
  assert.match(availability.advice, /install the Debian packages python3 python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0/);
  const error = await missing.createFilter({ command: 'videoflip', filterType: 'VIDEO', input: VP8 }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ProcessingError);
  assert.equal(error.code, 'unavailable');
  assert.match(error.message, /^GStreamer processing needs \/nonexistent\/python3 with GStreamer's Python bindings: install the Debian packages python3 python3-gi/);
  const inspect = await missing.inspectFilterCommand('videoflip', 'VIDEO').then(() => undefined, (e: unknown) => e);
  assert.ok(inspect instanceof ProcessingError && inspect.code === 'unavailable');
  assert.equal(missing.liveUnits, 0);
  assert.deepEqual(childPids(), []);
});

test('without a plugin a unit needs: the missing elements and their Debian packages are named', async (t) => {
  // GStreamer that finds no plugins at all (an empty plugin path and a registry of its own).
  const dir = mkdtempSync(join(tmpdir(), 'kts-noplugins-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bare = new ProcessingBackend({ environment: { GST_PLUGIN_SYSTEM_PATH_1_0: dir, GST_PLUGIN_PATH_1_0: dir, GST_REGISTRY_1_0: join(dir, 'registry.bin') } });
  const availability = await bare.availability();
  assert.equal(availability.available, true);
  assert.ok(availability.missing.includes('x264enc') && availability.missing.includes('vp8dec'));
  assert.match(availability.advice, /gstreamer1.0-plugins-good/);
  assert.match(availability.advice, /gstreamer1.0-plugins-ugly/);
  const error = await bare.createTranscoder({ input: VP8, output: H264 }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ProcessingError);
  assert.equal(error.code, 'unavailable');
  assert.match(error.message, /^GStreamer elements fdsrc, .*vp8dec.*x264enc.* not installed: install the Debian packages .*gstreamer1.0-plugins-good.*gstreamer1.0-plugins-ugly/);
  const filter = await bare.inspectFilterCommand('videoflip', 'VIDEO').then(() => undefined, (e: unknown) => e);
  assert.ok(filter instanceof ProcessingError);
  assert.equal(filter.message, 'GStreamer element videoflip not installed: install the Debian package gstreamer1.0-plugins-good (apt-get install gstreamer1.0-plugins-good)');
  assert.deepEqual(childPids(), []);
});
