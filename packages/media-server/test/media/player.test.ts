/**
 * The player's media core on files made by ffmpeg: pacing by the media's own timestamps, pause,
 * seek, end of stream and restart, HTTP Range reading from a local server, and clear errors for
 * what cannot be played, with nothing left open.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MediaFileSource, MediaSourceError, type MediaFileSourceEvents } from '../../src/media/MediaFileSource.js';
import { H264Depacketizer } from '../../src/media/depacketize/H264Depacketizer.js';
import type { MediaKind } from '../../src/types/media.js';
import { FIXTURE_SECONDS, makeFixture } from './mediaTools.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-player-'));
const fixtures: Record<string, string> = {};
let server: Server;
let base = '';
const rangeRequests: string[] = [];
before(async () => {
  for (const name of ['vp8-opus.webm', 'h264-aac.mp4', 'h264-opus.mp4']) fixtures[name] = await makeFixture(dir, name);
  writeFileSync(join(dir, 'not-media.webm'), 'this is a text file, not a WebM file\n'.repeat(100));
  const mp4 = readFileSync(fixtures['h264-opus.mp4'] ?? '');
  writeFileSync(join(dir, 'truncated.mp4'), mp4.subarray(0, Math.floor(mp4.length / 3)));
  // A static file server with Range support, as a CDN or object store serves media.
  server = createServer((req, res) => {
    const file = join(dir, decodeURIComponent((req.url ?? '/').slice(1)));
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      createReadStream(file).pipe(res);
      return;
    }
    rangeRequests.push(req.headers.range ?? '');
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
    createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** A player whose packets are counted, with the media time of the last packet seen per kind. */
async function openCounting(path: string | URL) {
  const seen = { audio: 0, video: 0, ended: 0, errors: [] as Error[], lastPacketAt: 0, h264Frames: 0 };
  const h264 = new H264Depacketizer(() => void seen.h264Frames++);
  const events: MediaFileSourceEvents = {
    rtp: (kind: MediaKind, packet: Buffer) => {
      seen[kind]++;
      seen.lastPacketAt = performance.now();
      assert.ok(packet.length <= 1200, 'within the 1200-byte MTU');
      if (kind === 'video' && (packet[1] ?? 0) % 128 === 102) h264.push(packet, 12, packet.length, (packet[1] ?? 0) >= 128, packet.readUInt32BE(4));
    },
    endOfStream: () => void seen.ended++,
    error: (e) => void seen.errors.push(e),
  };
  const target = typeof path === 'string' ? ({ kind: 'file', path } as const) : ({ kind: 'http', url: path } as const);
  return { player: await MediaFileSource.open(target, events), seen };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('tracks and videoInfo: H.264/AAC MP4 sends its AAC as RFC 3640 mpeg4-generic with the file’s config; durations in ms', async () => {
  const { player } = await openCounting(fixtures['h264-aac.mp4'] ?? '');
  try {
    const aac = player.tracks.find((t) => t.kind === 'audio');
    assert.equal(aac?.sendable, true);
    assert.equal(aac?.codec.mimeType, 'audio/mpeg4-generic');
    assert.equal(aac?.codec.clockRate, 48000);
    assert.equal(aac?.codec.parameters['mode'], 'AAC-hbr');
    // AudioSpecificConfig: AAC-LC (2), 48 kHz (index 3), the fixture's channel count (1: ffmpeg's sine is mono).
    assert.match(aac?.codec.parameters['config'] ?? '', /^1188/);
    assert.deepEqual(player.sentTracks.map((t) => t.codec.mimeType), ['video/H264', 'audio/mpeg4-generic']);
    assert.equal(player.sentTracks[0]?.codec.parameters['packetization-mode'], '1');
    assert.equal(player.videoInfo.isSeekable, true);
    assert.equal(player.videoInfo.seekableInit, 0);
    assert.ok(Math.abs(player.videoInfo.duration - FIXTURE_SECONDS * 1000) < 100, `duration ${player.videoInfo.duration}`);
    assert.equal(player.videoInfo.seekableEnd, player.videoInfo.duration);
  } finally {
    player.close();
  }
});

test('pacing: a 3 s file plays in 3 s; end of stream; play again restarts from the start', async () => {
  const { player, seen } = await openCounting(fixtures['h264-opus.mp4'] ?? '');
  try {
    const start = performance.now();
    player.play();
    await until('end of stream', () => seen.ended === 1, 10_000);
    const took = performance.now() - start;
    assert.ok(Math.abs(took - FIXTURE_SECONDS * 1000) < 250, `played in ${Math.round(took)} ms`);
    assert.equal(player.state, 'ended');
    assert.ok(seen.h264Frames >= FIXTURE_SECONDS * 30 - 1, `${seen.h264Frames} H.264 access units reassembled from our packets`);
    assert.ok(seen.audio >= FIXTURE_SECONDS * 50 - 2, `${seen.audio} Opus packets`);
    const before = seen.video;
    player.play();
    await until('packets again', () => seen.video > before + 30, 3000);
    assert.ok(player.position < 2000, `restarted near 0, at ${player.position} ms`);
  } finally {
    player.close();
  }
});

test('pause stops the clock; seek lands within 0.5 s; seeks outside the range are refused', async () => {
  const { player, seen } = await openCounting(fixtures['vp8-opus.webm'] ?? '');
  try {
    player.play();
    await sleep(800);
    player.pause();
    const at = player.position;
    const count = seen.video + seen.audio;
    await sleep(600);
    assert.equal(seen.video + seen.audio, count, 'nothing sent while paused');
    assert.equal(player.position, at, 'position held');
    await player.seek(2000);
    assert.ok(Math.abs(player.position - 2000) <= 500, `seek landed at ${player.position} ms`);
    player.play();
    await sleep(300);
    assert.ok(player.position >= 1500 && player.position <= 2600, `playing on from the seek: ${player.position} ms`);
    await player.seek(500);
    await sleep(200);
    assert.ok(player.position < 1200, `seek back while playing: ${player.position} ms`);
    await assert.rejects(player.seek(FIXTURE_SECONDS * 1000 + 5000), /outside the seekable range 0\.\.\d+ ms/);
    await assert.rejects(player.seek(-1), RangeError);
    player.stop();
    assert.equal(player.position, 0);
    assert.deepEqual(seen.errors, []);
  } finally {
    player.close();
  }
  assert.throws(() => player.play(), /the player was closed/);
});

test('http:// sources are read with Range requests from a local server and play to the end', async () => {
  rangeRequests.length = 0;
  const { player, seen } = await openCounting(new URL(`${base}/vp8-opus.webm`));
  try {
    assert.deepEqual(player.sentTracks.map((t) => t.codec.mimeType).sort(), ['audio/opus', 'video/VP8']);
    player.play();
    await until('end of stream', () => seen.ended === 1, 10_000);
    assert.ok(rangeRequests.length >= 1, `${rangeRequests.length} range requests`);
    assert.ok(seen.video > FIXTURE_SECONDS * 30, `${seen.video} VP8 packets`);
  } finally {
    player.close();
  }
});

test('bad sources are clear errors and leave nothing open', async () => {
  await sleep(4500); // idle connections of the earlier tests leave fetch's pool
  const handlesBefore = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
  const cases: [string | URL, RegExp][] = [
    [join(dir, 'missing.webm'), /media file .*missing\.webm does not exist/],
    [join(dir, 'not-media.webm'), /is not a WebM, MKV or MP4 file/],
    [join(dir, 'truncated.mp4'), /truncated|cannot read|not a WebM, MKV or MP4/],
    [new URL(`${base}/missing.webm`), /cannot read http:\/\/127\.0\.0\.1:\d+\/missing\.webm|not a WebM/],
    [new URL('http://127.0.0.1:9/unreachable.webm'), /cannot read http:\/\/127\.0\.0\.1:9\/unreachable\.webm/],
  ];
  for (const [source, message] of cases) {
    await assert.rejects(openCounting(source), (e: unknown) => e instanceof MediaSourceError && message.test(e.message), String(source));
  }
  // fetch keeps an idle connection in its pool for 4 s (undici's keep-alive timeout): then all is back.
  const count = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
  await until(`handles back to ${handlesBefore} (now ${process.getActiveResourcesInfo().join(', ')})`, () => count() <= handlesBefore, 8000);
});
