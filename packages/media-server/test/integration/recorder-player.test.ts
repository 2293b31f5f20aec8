/**
 * RecorderEndpoint and PlayerEndpoint with real Chromium peers, driven by our SDK: a camera
 * recorded in each profile family (files judged by ffprobe and ffmpeg), and files made by ffmpeg
 * played to a Chromium viewer, from disk and over HTTP, with pause, seek and end of stream.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { KurentoClient, type EventPayload, type MediaProfileSpecType } from '@kurento-ts/client';
import { waitFor, type Browser, type Site } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import { codecsOf, decode, makeFixture, probe } from '../media/mediaTools.js';
import { Peers } from '../helpers/peersPage.js';
import { startBrowserRig, stopBrowserRig } from '../helpers/browserRig.js';

let server: MediaServer;
let kurento: KurentoClient;
let site: Site;
let browser: Browser;
let dir: string;
let files: Server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kurento-ts-recorder-'));
  // Without transcoding: a profile that cannot hold the codec is an Error (filters.test.ts records through a transcoder).
  ({ server, kurento, site, browser } = await startBrowserRig({ mediaRoots: [dir], transcoding: false }));
  // A plain HTTP server for the player's http:// URIs (Range requests served by hand).
  files = createServer((req, res) => {
    const path = join(dir, new URL(req.url ?? '/', 'http://x').pathname);
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    if (size === undefined) return void res.writeHead(404).end();
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) : size - 1;
    res.writeHead(range ? 206 : 200, { 'content-length': end - start + 1, 'accept-ranges': 'bytes', ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}) });
    createReadStream(path, { start, end }).pipe(res);
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
});

after(async () => {
  files?.close();
  await stopBrowserRig({ server, kurento, site, browser });
  rmSync(dir, { recursive: true, force: true });
});

const RECORD_SECONDS = 3;

/** The presentation time of the last packet of each kind, by ffprobe. */
async function lastPacketTimes(path: string): Promise<{ audio: number; video: number }> {
  const { execFile } = await import('node:child_process');
  const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type,pts_time', '-of', 'csv=p=0', path]);
  const last = { audio: NaN, video: NaN };
  for (const line of stdout.trim().split('\n')) {
    const [type, pts] = line.split(',');
    if ((type === 'audio' || type === 'video') && pts !== undefined && pts !== 'N/A') last[type] = Math.max(Number.isNaN(last[type]) ? -Infinity : last[type], Number(pts));
  }
  return last;
}

/** Records the camera of a Chromium peer for a few seconds; returns the file and the seconds recorded. */
async function recordCamera(profile: MediaProfileSpecType, videoCodec: 'VP8' | 'H264', file: string): Promise<{ path: string; seconds: number; events: string[] }> {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const camera = await peers.endpoint('camera');
    const path = join(dir, file);
    const recorder = await peers.pipeline.create('RecorderEndpoint', { uri: `file://${path}`, mediaProfile: profile });
    const events: string[] = [];
    for (const type of ['Recording', 'Paused', 'Stopped', 'UriEndpointStateChanged', 'Error'] as const) {
      await recorder.on(type, (e) => events.push(type === 'UriEndpointStateChanged' ? `state:${(e as EventPayload<'UriEndpointStateChanged'>).state}` : type === 'Error' ? `Error:${(e as EventPayload<'Error'>).description}` : type));
    }
    await camera.connect(recorder);
    await peers.negotiate('camera', { send: 'camera', videoCodecs: [videoCodec] });
    await waitFor('the camera sending', async () => ((await peers.stats('camera')).outVideo?.framesEncoded ?? 0) > 5, 10_000);
    await recorder.record();
    await waitFor('Recording', () => events.includes('Recording'), 10_000, 50);
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, RECORD_SECONDS * 1000));
    const seconds = (Date.now() - startedAt) / 1000;
    await recorder.stopAndWait();
    return { path, seconds, events };
  } finally {
    await peers.close();
  }
}

const families: { profile: MediaProfileSpecType; video: 'VP8' | 'H264'; codecs: string[]; file: string }[] = [
  { profile: 'WEBM', video: 'VP8', codecs: ['opus', 'vp8'], file: 'camera.webm' },
  { profile: 'MKV', video: 'H264', codecs: ['h264', 'opus'], file: 'camera.mkv' },
  { profile: 'MP4', video: 'H264', codecs: ['h264', 'opus'], file: 'camera.mp4' },
  { profile: 'WEBM_AUDIO_ONLY', video: 'VP8', codecs: ['opus'], file: 'camera-audio.webm' },
  { profile: 'MP4_VIDEO_ONLY', video: 'H264', codecs: ['h264'], file: 'camera-video.mp4' },
];

for (const family of families) {
  test(`Chromium → WebRtcEndpoint → RecorderEndpoint ${family.profile}: ffprobe reads ${family.codecs.join(' + ')}, the duration, clean frames, audio and video together`, async (t) => {
    const { path, seconds, events } = await recordCamera(family.profile, family.video, family.file);
    assert.deepEqual(events.filter((e) => !e.startsWith('state:')), ['Recording', 'Stopped'], `events: ${events.join(', ')}`);
    const facts = await probe(path);
    t.diagnostic(`${family.profile}: ${JSON.stringify(facts)} after ${seconds.toFixed(2)} s`);
    assert.deepEqual(codecsOf(facts), family.codecs);
    assert.ok(Math.abs(facts.duration - seconds) < 0.5, `duration ${facts.duration} s for ${seconds.toFixed(2)} s recorded`);
    const decoded = await decode(path);
    assert.equal(decoded.errors, '', 'every frame decodes');
    // Both kinds stop at the same moment: with audio and video in sync their last frames are
    // within a frame or two of each other (video starts later, at its first keyframe).
    if (facts.streams.length === 2) {
      const ends = await lastPacketTimes(path);
      t.diagnostic(`last audio ${ends.audio} s, last video ${ends.video} s`);
      assert.ok(Math.abs(ends.audio - ends.video) < 0.1, `audio and video end within 100 ms: ${JSON.stringify(ends)}`);
    }
  });
}

test('recorder bad input: a URI outside the media roots, .., an unsupported profile; a VP8 source into MP4 gets a clear Error and no file', async () => {
  const pipeline = await kurento.createMediaPipeline();
  try {
    await assert.rejects(pipeline.create('RecorderEndpoint', { uri: 'file:///etc/passwd-recording.webm' }), /uri: .*outside/);
    await assert.rejects(pipeline.create('RecorderEndpoint', { uri: `file://${dir}/../escape.webm` }), /uri: .*outside/);
    await assert.rejects(pipeline.create('PlayerEndpoint', { uri: 'file:///etc/passwd' }), /uri: .*outside/);
    await assert.rejects(pipeline.create('RecorderEndpoint', { uri: `file://${dir}/x.flv`, mediaProfile: 'FLV' }), /mediaProfile FLV is not supported/);
  } finally {
    await pipeline.release();
  }
  const peers = await Peers.open(browser, site, kurento);
  try {
    const camera = await peers.endpoint('camera');
    const recorder = await peers.pipeline.create('RecorderEndpoint', { uri: `file://${dir}/vp8.mp4`, mediaProfile: 'MP4_VIDEO_ONLY' });
    const errors: EventPayload<'Error'>[] = [];
    await recorder.on('Error', (e) => errors.push(e));
    await camera.connect(recorder);
    await peers.negotiate('camera', { send: 'camera', videoCodecs: ['VP8'] });
    await recorder.record();
    const error = await waitFor('an Error event', () => errors[0], 10_000);
    assert.equal(error.type, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(error.description, /VP8\/90000, but this element takes only H264, VP9/);
    await recorder.stopAndWait();
    assert.equal(statSync(join(dir, 'vp8.mp4'), { throwIfNoEntry: false }), undefined, 'no empty file');
  } finally {
    await peers.close();
  }
});

/** Plays `uri` to a Chromium viewer; returns the tab's peers and the player. */
async function playToViewer(uri: string) {
  const peers = await Peers.open(browser, site, kurento);
  const player = await peers.pipeline.create('PlayerEndpoint', { uri });
  const viewer = await peers.endpoint('viewer');
  await player.connect(viewer);
  await peers.negotiate('viewer', { receive: true });
  return { peers, player, viewer };
}

test('PlayerEndpoint plays ffmpeg’s VP8/Opus WebM to a Chromium viewer: pause holds the clock, seek lands, EndOfStream arrives, play again restarts', async (t) => {
  await makeFixture(dir, 'vp8-opus.webm', 6);
  const { peers, player } = await playToViewer(`file://${join(dir, 'vp8-opus.webm')}`);
  try {
    const ended: string[] = [];
    await player.on('EndOfStream', () => ended.push('EndOfStream'));
    await player.play();
    const info = await player.getVideoInfo();
    assert.equal(info.isSeekable, true);
    assert.ok(Math.abs(info.duration - 6000) < 200, `duration ${info.duration} ms`);
    await waitFor('the viewer decoding the file', async () => {
      const s = await peers.stats('viewer');
      return (s.inVideo?.framesDecoded ?? 0) > 20 && (s.inAudio?.packetsReceived ?? 0) > 20 ? s : null;
    }, 15_000);
    await player.pause();
    const paused = await player.getPosition();
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(Math.abs((await player.getPosition()) - paused) < 50, 'the clock stops while paused');
    await player.setPosition(4000);
    const landed = await player.getPosition();
    await player.play();
    t.diagnostic(`seek to 4000 ms landed at ${landed} ms`);
    assert.ok(Math.abs(landed - 4000) < 500, `landed at ${landed}`);
    await waitFor('EndOfStream', () => ended.length > 0, 10_000, 100);
    assert.equal(await player.getState(), 'STOP');
    const before = (await peers.stats('viewer')).inVideo?.framesDecoded ?? 0;
    await player.play();
    await waitFor('frames again after play', async () => ((await peers.stats('viewer')).inVideo?.framesDecoded ?? 0) > before + 10, 10_000);
  } finally {
    await peers.close();
  }
});

test('PlayerEndpoint over HTTP: H.264/Opus MP4 plays to the viewer; H.264/AAC MP4 plays its video and, without transcoding, says its AAC (mpeg4-generic) cannot go to the viewer', async (t) => {
  await makeFixture(dir, 'h264-opus.mp4', 4);
  await makeFixture(dir, 'h264-aac.mp4', 4);
  const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  for (const [file, audio] of [['h264-opus.mp4', true], ['h264-aac.mp4', false]] as const) {
    const { peers, player, viewer } = await playToViewer(`${base}/${file}`);
    try {
      const errors: EventPayload<'Error'>[] = [];
      await viewer.on('Error', (e) => errors.push(e));
      await player.play();
      const stats = await waitFor(`the viewer decoding ${file}`, async () => {
        const s = await peers.stats('viewer');
        return (s.inVideo?.framesDecoded ?? 0) > 20 ? s : null;
      }, 15_000);
      t.diagnostic(`${file}: ${JSON.stringify(stats.inVideo)} audio ${JSON.stringify(stats.inAudio)}`);
      assert.equal(stats.inVideo?.codec, 'video/H264');
      if (audio) {
        await waitFor('audio', async () => ((await peers.stats('viewer')).inAudio?.packetsReceived ?? 0) > 20, 10_000);
      } else {
        const error = await waitFor('an Error naming AAC', () => errors.find((e) => /mpeg4-generic/i.test(e.description)), 10_000);
        assert.equal(error.type, 'UNSUPPORTED_MEDIA_TYPE');
      }
    } finally {
      await peers.close();
    }
  }
});

test('player bad input: a missing file, a file that is not media, an unreachable URL: play() fails with a clear error', async () => {
  const pipeline = await kurento.createMediaPipeline();
  try {
    const missing = await pipeline.create('PlayerEndpoint', { uri: `file://${join(dir, 'nothing.webm')}` });
    await assert.rejects(missing.play(), /Cannot play/);
    const text = join(dir, 'text.webm');
    await import('node:fs').then((fs) => fs.writeFileSync(text, 'not media at all'));
    const notMedia = await pipeline.create('PlayerEndpoint', { uri: `file://${text}` });
    await assert.rejects(notMedia.play(), /Cannot play/);
    const unreachable = await pipeline.create('PlayerEndpoint', { uri: 'http://127.0.0.1:9/nothing.mp4' });
    await assert.rejects(unreachable.play(), /Cannot play/);
    await assert.rejects(missing.setPosition(1000), /call play\(\) first/);
  } finally {
    await pipeline.release();
  }
});
