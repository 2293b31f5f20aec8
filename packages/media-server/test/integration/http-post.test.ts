/**
 * HttpPostEndpoint with real uploaders: a Chromium page's MediaRecorder recording POSTed as a
 * form (what Kurento apps do with it) and played to a Chromium viewer, and ffmpeg streaming a
 * live WebM with a chunked POST into a RecorderEndpoint, the file judged by ffprobe. Then what
 * hostile or broken uploaders do to it.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { KurentoClient, type EventPayload } from '@kurento-ts/client';
import { waitFor, type Browser, type Site } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import { codecsOf, decode, makeFixture, probe } from '../media/mediaTools.js';
import { Peers } from '../helpers/peersPage.js';
import { startBrowserRig, stopBrowserRig } from '../helpers/browserRig.js';
import { startServer } from '../helpers/server.js';

let server: MediaServer;
let kurento: KurentoClient;
let site: Site;
let browser: Browser;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kurento-ts-httppost-'));
  ({ server, kurento, site, browser } = await startBrowserRig({ mediaRoots: [dir], transcoding: false }));
});

after(async () => {
  await stopBrowserRig({ server, kurento, site, browser });
  rmSync(dir, { recursive: true, force: true });
});

/** Records `seconds` of the tab's fake camera and microphone with MediaRecorder, then POSTs it to `url` as a form; the answer's status. */
function recordAndPost(peers: Peers, url: string, seconds: number): Promise<number> {
  return peers.tab.evaluate(async ([target, ms]) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    const recorder = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8,opus' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => (recorder.onstop = resolve));
    recorder.start(250);
    await new Promise((resolve) => setTimeout(resolve, ms));
    recorder.stop();
    await stopped;
    for (const track of stream.getTracks()) track.stop();
    const form = new FormData();
    form.append('note', 'from the test page');
    form.append('file', new Blob(chunks, { type: 'video/webm' }), 'recording.webm');
    return (await fetch(target, { method: 'POST', body: form })).status;
  }, [url, seconds * 1000] as const);
}

test('a MediaRecorder recording POSTed from a page as a form plays to a Chromium viewer: MediaSessionStarted, frames and audio, EndOfStream', async (t) => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const post = await peers.pipeline.create('HttpPostEndpoint', {});
    const url = await post.getUrl();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{22}$/);
    const events: string[] = [];
    for (const type of ['MediaSessionStarted', 'MediaSessionTerminated', 'EndOfStream'] as const) await post.on(type, () => events.push(type));
    const viewer = await peers.endpoint('viewer');
    await post.connect(viewer);
    await peers.negotiate('viewer', { receive: true });
    const status = recordAndPost(peers, url, 4);
    await waitFor('MediaSessionStarted', () => events.includes('MediaSessionStarted'), 20_000, 100);
    const stats = await waitFor('the viewer decoding the upload', async () => {
      const s = await peers.stats('viewer');
      return (s.inVideo?.framesDecoded ?? 0) > 40 && (s.inAudio?.packetsReceived ?? 0) > 50 ? s : null;
    }, 15_000);
    t.diagnostic(`viewer: ${JSON.stringify(stats.inVideo)} audio ${JSON.stringify(stats.inAudio)}`);
    assert.equal(stats.inVideo?.codec, 'video/VP8');
    assert.equal(await status, 200);
    await waitFor('EndOfStream', () => events.includes('EndOfStream'), 15_000, 100);
    assert.deepEqual(events, ['MediaSessionStarted', 'EndOfStream', 'MediaSessionTerminated']);
    const decoded = (await peers.stats('viewer')).inVideo?.framesDecoded ?? 0;
    t.diagnostic(`frames decoded in all: ${decoded} (4 s recorded at 30 fps)`);
    assert.ok(decoded > 60, `only ${decoded} frames of a 4 s recording reached the viewer`);
  } finally {
    await peers.close();
  }
});

/** ffmpeg encoding a live test pattern and tone for `seconds`, sent to `url` as one chunked POST of WebM. */
function ffmpegLivePost(url: string, seconds: number) {
  const ffmpeg = spawn('ffmpeg', [
    '-v', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds), '-g', '30',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-c:a', 'libopus', '-ac', '2',
    '-f', 'webm', '-live', '1', '-method', 'POST', '-chunked_post', '1', url,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ffmpeg.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => ffmpeg.once('exit', (code) => resolve({ code, stderr })));
  return { exited };
}

test('ffmpeg streams a live WebM with a chunked POST: the recorder behind the endpoint writes it as it comes, ffprobe reads VP8 + Opus of the stream’s length', async (t) => {
  const pipeline = await kurento.createMediaPipeline();
  try {
    const post = await pipeline.create('HttpPostEndpoint', {});
    const file = join(dir, 'live.webm');
    const recorder = await pipeline.create('RecorderEndpoint', { uri: `file://${file}`, mediaProfile: 'WEBM' });
    const ended: EventPayload<'EndOfStream'>[] = [];
    await post.on('EndOfStream', (e) => ended.push(e));
    await post.connect(recorder);
    await recorder.record();
    const started = Date.now();
    const upload = ffmpegLivePost(await post.getUrl(), 4);
    await waitFor('media flowing into the recorder while ffmpeg still sends', async () => (await recorder.isMediaFlowingIn('VIDEO')) && Date.now() - started < 4000, 4000, 100);
    const { code, stderr } = await upload.exited;
    assert.equal(code, 0, `ffmpeg failed: ${stderr}`);
    await waitFor('EndOfStream', () => ended.length > 0, 10_000, 100);
    await recorder.stopAndWait();
    const info = await probe(file);
    t.diagnostic(`recorded ${info.duration} s: ${codecsOf(info).join(', ')}`);
    assert.deepEqual(codecsOf(info), ['opus', 'vp8']);
    assert.ok(Math.abs(info.duration - 4) < 0.6, `duration ${info.duration} s for a 4 s stream`);
    const decoded = await decode(file);
    assert.equal(decoded.errors, '');
    assert.ok(decoded.videoFrames > 100, `${decoded.videoFrames} frames decoded`);
  } finally {
    await pipeline.release();
  }
});

/** One raw HTTP exchange with the upload server. */
function send(url: string, method: string, body?: Buffer | ((write: (b: Buffer) => void) => void), headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body === 'function') body((b) => req.write(b));
    else req.end(body);
  });
}

test('HttpPostEndpoint bad input: other methods, unknown paths, a body that is not media, a second upload at once, an uploader that goes silent; release gives the port back', async () => {
  const pipeline = await kurento.createMediaPipeline();
  try {
    const post = await pipeline.create('HttpPostEndpoint', { disconnectionTimeout: 1 });
    const url = await post.getUrl();
    const errors: EventPayload<'Error'>[] = [];
    const ended: string[] = [];
    let sessions = 0;
    await post.on('MediaSessionStarted', () => sessions++);
    await post.on('Error', (e) => errors.push(e));
    await post.on('EndOfStream', () => ended.push('EndOfStream'));

    assert.equal((await send(url, 'GET')).status, 405);
    assert.equal((await send(`${url}x`, 'POST', Buffer.from('x'))).status, 404);
    assert.equal((await send(url.replace(/\/[^/]+$/, '/'), 'POST', Buffer.from('x'))).status, 404);
    await assert.rejects(pipeline.create('HttpPostEndpoint', { disconnectionTimeout: -1 }), /disconnectionTimeout/);

    const text = await send(url, 'POST', Buffer.from('this is not media at all, just some words'), { 'content-type': 'video/webm' });
    assert.equal(text.status, 415);
    assert.match(text.text, /not a WebM, MKV or MP4/);
    const error = await waitFor('an Error event', () => errors[0], 5000, 50);
    assert.equal(error.type, 'MEDIA_ERROR');

    assert.equal((await send(url, 'POST', Buffer.from('--x\r\n'), { 'content-type': 'multipart/form-data; boundary=x' })).status, 400);

    // A real WebM sent slowly: half of it, then silence. A second upload meanwhile is refused.
    const webm = await import('node:fs/promises').then(async (fs) => fs.readFile(await makeFixture(dir, 'vp8-small.webm', 3)));
    let cut = false;
    const slow = send(url, 'POST', (write) => write(webm.subarray(0, webm.length >> 1)), { 'content-type': 'video/webm' }).then(
      (r) => r,
      () => ((cut = true), { status: 0, text: 'connection cut' }),
    );
    await waitFor('the slow upload playing', () => sessions === 1, 5000, 50);
    assert.equal((await send(url, 'POST', webm, { 'content-type': 'video/webm' })).status, 409);
    const answer = await slow;
    assert.ok(cut || answer.status === 408, `the silent uploader was answered ${answer.status}`);
    await waitFor('EndOfStream after the silent uploader was cut off', () => ended.length > 0, 5000, 50);

    // After the end, the next upload is taken.
    const whole = await send(url, 'POST', webm, { 'content-type': 'video/webm' });
    assert.equal(whole.status, 200);

    assert.equal(server.registry.uploads.registrations, 1);
    await post.release();
    assert.equal(server.registry.uploads.registrations, 0, 'the endpoint gave its URL back');
    await assert.rejects(send(url, 'POST', webm), /ECONNREFUSED/, 'the upload port closes with the last endpoint');
  } finally {
    await pipeline.release();
  }
});

test('in a media worker thread: curl POSTs a WebM file, the recorder behind the endpoint writes it whole', async () => {
  const workers = await startServer({ mediaRoots: [dir], transcoding: false, mediaWorkers: 1 });
  const client = await KurentoClient.connect(workers.url);
  try {
    const pipeline = await client.createMediaPipeline();
    const post = await pipeline.create('HttpPostEndpoint', {});
    const file = join(dir, 'from-curl.webm');
    const recorder = await pipeline.create('RecorderEndpoint', { uri: `file://${file}`, mediaProfile: 'WEBM' });
    const ended: string[] = [];
    await post.on('EndOfStream', () => ended.push('EndOfStream'));
    await post.connect(recorder);
    await recorder.record();
    const source = await makeFixture(dir, 'vp8-opus.webm', 3, 'curl-source.webm');
    const { stdout } = await promisify(execFile)('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'content-type: video/webm', '--data-binary', `@${source}`, await post.getUrl()], { timeout: 30_000 });
    assert.equal(stdout, '200');
    await waitFor('EndOfStream', () => ended.length > 0, 10_000, 100);
    await recorder.stopAndWait();
    const info = await probe(file);
    assert.deepEqual(codecsOf(info), ['opus', 'vp8']);
    assert.ok(Math.abs(info.duration - 3) < 0.5, `duration ${info.duration} s of a 3 s file`);
    assert.equal((await decode(file)).errors, '');
  } finally {
    await client.close();
    await workers.stop();
  }
});
