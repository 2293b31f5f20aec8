/**
 * The recorder's promises, each judged by ffprobe/ffmpeg on the file it leaves: no empty-file
 * trap, loss handled by a key-frame request instead of broken frames, a source swapped
 * mid-recording with another resolution, pause and resume, HTTP upload with basic auth, a slow
 * target that drops instead of filling memory, and SIGKILL mid-recording.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { MediaFileSource } from '../../src/media/MediaFileSource.js';
import { RecordingSink, type RecordingSinkEvents, type RecordingSinkOptions } from '../../src/media/RecordingSink.js';
import type { MediaKind, RtpCodec } from '../../src/types/media.js';
import { codecsOf, decode, FIXTURE_SECONDS, makeFixture, playInto, probe } from './mediaTools.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-recorder-'));
const fixtures: Record<string, string> = {};
const codecs: Record<string, Partial<Record<MediaKind, RtpCodec>>> = {};
before(async () => {
  for (const name of ['vp8-opus.webm', 'h264-opus.mp4', 'vp8-small.webm', 'h264-small.mp4']) {
    fixtures[name] = await makeFixture(dir, name);
    const player = await MediaFileSource.open({ kind: 'file', path: fixtures[name] ?? '' }, { rtp: () => undefined, endOfStream: () => undefined, error: () => undefined });
    codecs[name] = Object.fromEntries(player.sentTracks.map((t) => [t.kind, t.codec]));
    player.close();
  }
  // Long enough to be killed in the middle.
  fixtures['long.webm'] = await makeFixture(dir, 'vp8-opus.webm', 8, 'long.webm');
  fixtures['long.mp4'] = await makeFixture(dir, 'h264-opus.mp4', 8, 'long.mp4');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function log(): RecordingSinkEvents & { warnings: string[]; errors: Error[]; keyframeRequests: number } {
  const l = { warnings: [] as string[], errors: [] as Error[], keyframeRequests: 0 };
  return Object.assign(l, { keyframeNeeded: () => void l.keyframeRequests++, warning: (m: string) => void l.warnings.push(m), error: (e: Error) => void l.errors.push(e) });
}

const sink = (path: string, profile: string, from: string, events: RecordingSinkEvents, extra: Partial<RecordingSinkOptions> = {}): RecordingSink =>
  new RecordingSink({ target: { kind: 'file', path }, profile, codecs: codecs[from] ?? {}, events, ...extra });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('no empty-file trap: audio that never arrives does not hold the video back', async () => {
  const path = join(dir, 'no-audio.webm');
  const events = log();
  const recorder = sink(path, 'WEBM', 'vp8-opus.webm', events, { trackWaitMs: 500 });
  await playInto({ kind: 'file', path: fixtures['vp8-opus.webm'] ?? '' }, { pushRtp: (kind, p) => kind === 'video' && recorder.pushRtp(kind, p), setClockMapping: () => undefined });
  const result = await recorder.stop();
  assert.deepEqual(events.errors, []);
  assert.ok(events.warnings.some((w) => /no audio arrived within 500 ms/.test(w)), events.warnings.join('; '));
  assert.equal(result.frames.audio, 0);
  const p = await probe(path);
  assert.deepEqual(codecsOf(p), ['vp8']);
  assert.ok(Math.abs(p.duration - FIXTURE_SECONDS) < 0.5, `duration ${p.duration}`);
  assert.equal((await decode(path)).errors, '');
});

test('audio that goes quiet while video flows is filled with Opus DTX, so the muxer keeps writing', async () => {
  const path = join(dir, 'quiet.webm');
  const events = log();
  const recorder = sink(path, 'WEBM', 'vp8-opus.webm', events);
  let audioPackets = 0;
  await playInto({ kind: 'file', path: fixtures['vp8-opus.webm'] ?? '' }, {
    // Audio goes silent from 1 s to 2.5 s (packets 50 to 125 at 20 ms).
    pushRtp: (kind, p) => (kind === 'video' || ++audioPackets < 50 || audioPackets > 125) && recorder.pushRtp(kind, p),
    setClockMapping: (k, m) => recorder.setClockMapping(k, m),
  });
  await recorder.stop();
  const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts_time,size', '-of', 'csv=p=0', path]);
  const packets = stdout.trim().split('\n').map((line) => line.split(',').map(Number) as [number, number]);
  const dtx = packets.filter(([time, size]) => size === 1 && time > 1 && time < 2.5);
  assert.ok(dtx.length >= 40, `${dtx.length} DTX frames in the silent stretch`);
  assert.equal((await decode(path)).errors, '');
  assert.ok(Math.abs((await probe(path)).duration - FIXTURE_SECONDS) < 0.5);
});

test('a lost video packet: frames dropped to the next key frame, a key frame requested, nothing broken written', async () => {
  const path = join(dir, 'lossy.mp4');
  const events = log();
  const recorder = sink(path, 'MP4', 'h264-opus.mp4', events);
  let videoPackets = 0;
  let lostAt = -1;
  await playInto({ kind: 'file', path: fixtures['h264-opus.mp4'] ?? '' }, {
    pushRtp: (kind, p) => {
      // Lose one packet in the middle of a frame, a second in.
      if (kind === 'video' && ++videoPackets > 150 && lostAt < 0 && ((p[1] ?? 0) & 0x80) === 0) {
        lostAt = videoPackets;
        return;
      }
      recorder.pushRtp(kind, p);
    },
    setClockMapping: (k, m) => recorder.setClockMapping(k, m),
  });
  const result = await recorder.stop();
  assert.ok(lostAt > 0);
  assert.ok(events.keyframeRequests >= 2, `${events.keyframeRequests} key frame requests (the first at the start, then for the loss)`);
  assert.ok(result.frames.video < FIXTURE_SECONDS * 30 && result.frames.video > FIXTURE_SECONDS * 30 - 20, `${result.frames.video} frames: the damaged GOP's rest dropped`);
  const decoded = await decode(path);
  assert.equal(decoded.errors, '', 'no broken frame in the file');
});

for (const [profile, first, second, file] of [['WEBM', 'vp8-opus.webm', 'vp8-small.webm', 'swapped.webm'], ['MP4', 'h264-opus.mp4', 'h264-small.mp4', 'swapped.mp4']] as const) {
  test(`${profile}: a source swapped mid-recording (new SSRC, timestamps, resolution) gives a playable file`, async () => {
    const path = join(dir, file);
    const events = log();
    const recorder = sink(path, profile, first, events);
    await playInto({ kind: 'file', path: fixtures[first] ?? '' }, recorder);
    await playInto({ kind: 'file', path: fixtures[second] ?? '' }, recorder);
    const result = await recorder.stop();
    assert.deepEqual(events.errors, []);
    const p = await probe(path);
    assert.ok(Math.abs(p.duration - 2 * FIXTURE_SECONDS) < 0.6, `duration ${p.duration} s`);
    const decoded = await decode(path);
    assert.equal(decoded.errors, '');
    assert.ok(decoded.videoFrames >= 2 * FIXTURE_SECONDS * 30 - 10, `${decoded.videoFrames} frames of both sources (${result.frames.video} written)`);
  });
}

test('pause and resume: the paused time is not written as time', async () => {
  const path = join(dir, 'paused.mkv');
  const events = log();
  const recorder = sink(path, 'MKV', 'h264-opus.mp4', events);
  const playing = playInto({ kind: 'file', path: fixtures['h264-opus.mp4'] ?? '' }, recorder);
  await sleep(1000);
  recorder.pause();
  assert.equal(recorder.state, 'paused');
  await sleep(1000);
  recorder.resume();
  await playing;
  await recorder.stop();
  const p = await probe(path);
  assert.ok(Math.abs(p.duration - (FIXTURE_SECONDS - 1)) < 0.5, `duration ${p.duration} s for ${FIXTURE_SECONDS - 1} s recorded`);
  assert.equal((await decode(path)).errors, '');
});

/** A local upload server: keeps each POST body and its headers; `stallMs` pauses reading at first. */
async function uploadServer(stallMs = 0) {
  const uploads: { headers: IncomingMessage['headers']; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    if (stallMs > 0) {
      req.pause();
      setTimeout(() => req.resume(), stallMs);
    }
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      uploads.push({ headers: req.headers, body: Buffer.concat(parts) });
      res.writeHead(req.headers.authorization === `Basic ${Buffer.from('rec:s3cret').toString('base64')}` ? 201 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { uploads, url: (auth: string) => new URL(`http://${auth}127.0.0.1:${port}/upload/rec.webm`), close: () => new Promise((r) => server.close(r)) };
}

test('http:// targets: the recording is uploaded as one chunked POST with basic auth from the URL', async () => {
  const server = await uploadServer();
  try {
    const events = log();
    const recorder = new RecordingSink({ target: { kind: 'http', url: server.url('rec:s3cret@') }, profile: 'WEBM', codecs: codecs['vp8-opus.webm'] ?? {}, events });
    await playInto({ kind: 'file', path: fixtures['vp8-opus.webm'] ?? '' }, recorder);
    const result = await recorder.stop();
    assert.deepEqual(events.errors, []);
    assert.equal(result.finalized, false, 'an upload is not remuxed');
    const upload = server.uploads[0];
    assert.ok(upload);
    assert.equal(upload.headers['transfer-encoding'], 'chunked');
    assert.equal(upload.headers['content-type'], 'video/webm');
    const file = join(dir, 'uploaded.webm');
    writeFileSync(file, upload.body);
    assert.deepEqual(codecsOf(await probe(file)), ['opus', 'vp8']);
    assert.equal((await decode(file)).errors, '');

    const refused = log();
    const wrong = new RecordingSink({ target: { kind: 'http', url: server.url('rec:wrong@') }, profile: 'WEBM_AUDIO_ONLY', codecs: codecs['vp8-opus.webm'] ?? {}, events: refused });
    await playInto({ kind: 'file', path: fixtures['vp8-opus.webm'] ?? '' }, wrong);
    await wrong.stop();
    assert.match(refused.errors[0]?.message ?? '', /upload to http:\/\/127\.0\.0\.1:\d+\/upload\/rec\.webm was refused: HTTP 401/);
    assert.doesNotMatch(refused.errors[0]?.message ?? '', /wrong/, 'the password is not in the message');

    const unreachable = log();
    const nowhere = new RecordingSink({ target: { kind: 'http', url: new URL('http://user:pw@127.0.0.1:9/rec.webm') }, profile: 'WEBM', codecs: codecs['vp8-opus.webm'] ?? {}, events: unreachable });
    await playInto({ kind: 'file', path: fixtures['vp8-opus.webm'] ?? '' }, nowhere);
    const result2 = await nowhere.stop();
    assert.equal(nowhere.state, 'failed');
    assert.equal(unreachable.errors.length, 1, 'one error event');
    assert.match(unreachable.errors[0]?.message ?? '', /upload to http:\/\/127\.0\.0\.1:9\/rec\.webm failed: connect ECONNREFUSED/);
    assert.ok(result2.frames.video < 30, 'writing stopped at the failure');
  } finally {
    await server.close();
  }
});

test('a target slower than the media: frames are dropped and reported, memory stays bounded, what is kept decodes', async () => {
  // A named pipe whose reader starts late: the kernel's pipe buffer (64 KiB) fills, writes block
  // like a stalled disk's, and the recorder's queue (64 KiB here) overflows.
  const fifo = join(dir, 'slow.fifo');
  const kept = join(dir, 'slow.webm');
  execFileSync('mkfifo', [fifo]);
  const reader = spawn('sh', ['-c', `sleep 2; cat "${fifo}" > "${kept}"`], { stdio: 'ignore' });
  const readerDone = new Promise((r) => reader.once('exit', r));
  try {
    const events = log();
    const recorder = sink(fifo, 'WEBM', 'vp8-opus.webm', events, { maxQueueBytes: 64 * 1024 });
    await playInto({ kind: 'file', path: fixtures['vp8-opus.webm'] ?? '' }, recorder);
    const result = await recorder.stop();
    await readerDone;
    assert.deepEqual(events.errors, []);
    assert.ok(result.dropped > 0, `${result.dropped} frames dropped`);
    assert.ok(result.peakQueuedBytes <= 64 * 1024, `at most ${result.peakQueuedBytes} bytes queued`);
    assert.ok(events.warnings.some((w) => /slower than the media: \d+ frames dropped/.test(w)), events.warnings.join('; '));
    assert.ok(result.frames.video > 0 && result.frames.video < FIXTURE_SECONDS * 30);
    assert.equal((await decode(kept)).errors, '', 'what was kept decodes');
  } finally {
    reader.kill();
  }
});

const child = fileURLToPath(new URL('./recordChild.ts', import.meta.url));

for (const [profile, from, file] of [['WEBM', 'long.webm', 'killed.webm'], ['MP4', 'long.mp4', 'killed.mp4']] as const) {
  test(`${profile}: kill -9 of the recording process mid-recording leaves a file ffprobe reads and ffmpeg decodes`, async () => {
    const path = join(dir, file);
    const proc = spawn(process.execPath, ['--import', 'tsx', child, fixtures[from] ?? '', path, profile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => proc.once('exit', (_code, signal) => r(signal)));
    try {
      const deadline = Date.now() + 15_000;
      while (!out.includes('recording') && Date.now() < deadline) await sleep(50);
      assert.ok(out.includes('recording'), `the child started recording: ${out}`);
      await sleep(4000);
      proc.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
    } finally {
      proc.kill('SIGKILL');
    }
    assert.ok(!out.includes('stopped'), 'killed before the end');
    assert.ok(statSync(path).size > 50_000, `${statSync(path).size} bytes on disk`);
    const p = await probe(path);
    assert.deepEqual(codecsOf(p), profile === 'WEBM' ? ['opus', 'vp8'] : ['h264', 'opus']);
    const decoded = await decode(path);
    assert.equal(decoded.errors, '', 'every frame on disk decodes');
    assert.ok(decoded.videoFrames >= 2.5 * 30, `${decoded.videoFrames} frames: the seconds before the kill are there`);
  });
}
