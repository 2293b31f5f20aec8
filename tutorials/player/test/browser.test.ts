/**
 * The player end to end, as users run it: `npm start -w tutorials/player` (media on 127.0.0.1,
 * free ports), one headless Chromium, and a VP8/Opus WebM made by ffmpeg at test time in the
 * system temp directory (inside the media server's default media roots), typed into the page as
 * a file:// URI and, for one case, served over HTTP by the test. The media server's pipelines
 * are the truth for what is released.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, makeTestVideo, MEDIA_WAIT_MS, RawClient, type Participant } from '@kurento-ts/tutorial-kit/testing';
import { NOT_PLAYING, type ServerMessage } from '../src/messages.js';
import { player } from '../src/tutorial.js';

const VIDEO_SECONDS = 6;

let run: BrowserRun;
let page: Participant;
let dir: string;
let video: string;
let files: Server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kurento-ts-player-'));
  video = join(dir, 'video.webm');
  await makeTestVideo(video, VIDEO_SECONDS);
  // The video over HTTP, as a web server serves it (byte ranges included).
  files = createServer((req, res) => {
    if (req.url !== '/video.webm') return void res.writeHead(404).end();
    const size = statSync(video).size;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const [from, to] = range ? [Number(range[1]), range[2] ? Number(range[2]) : size - 1] : [0, size - 1];
    const headers = { 'content-type': 'video/webm', 'accept-ranges': 'bytes', 'content-length': String(to - from + 1) };
    res.writeHead(range ? 206 : 200, range ? { ...headers, 'content-range': `bytes ${from}-${to}/${size}` } : headers);
    createReadStream(video, { start: from, end: to }).pipe(res);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  run = await BrowserRun.start(player, []);
  page = await run.open('viewer');
});

after(async () => {
  files?.close();
  await run?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const state = (): Promise<string | null> => page.page.getAttribute('body', 'data-state');
const inState = (wanted: string, timeoutMs = MEDIA_WAIT_MS): Promise<unknown> => waitFor(`the page ${wanted}`, async () => (await state()) === wanted, timeoutMs, 100);
const text = async (selector: string): Promise<string> => (await page.page.textContent(selector)) ?? '';
const framesDecoded = async (): Promise<number> => (await page.inbound('#videoOutput'))?.video.framesDecoded ?? 0;
/** The error box's text, or null while hidden. */
const errorShown = (): Promise<string | null> => page.page.evaluate(() => {
  const box = document.getElementById('error');
  return box && !box.hidden ? box.textContent : null;
});

/** Types `url`, presses Start and waits until the page decodes frames. */
async function startPlaying(url: string): Promise<number> {
  await page.page.fill('#videourl', url);
  await page.page.click('#start');
  await inState('playing');
  return waitFor('frames decoded in the page', async () => {
    const n = await framesDecoded();
    return n > 20 ? n : 0;
  }, MEDIA_WAIT_MS);
}

/** Presses Get position and returns what the page shows (ms). */
async function positionShown(): Promise<number> {
  await page.page.$eval('#videoPosition', (o) => ((o as HTMLOutputElement).value = ''));
  await page.page.click('#getPosition');
  const shown = await waitFor('the position shown', async () => await text('#videoPosition'), 10_000, 50);
  return Number(shown);
}

test('before Start: pause, seek and position are disabled; asked anyway, the server says nothing plays', async () => {
  assert.deepEqual(await page.page.$$eval('#pause, #resume, #doSeek, #getPosition, #stop', (bs) => bs.map((b) => (b as HTMLButtonElement).disabled)), [true, true, true, true, true]);
  // A page that sends them anyway (Kurento's page could) is answered with error.
  const client = await RawClient.open<ServerMessage>(`${run.app.url.replace(/^https/, 'wss')}player`, { origin: run.app.url.replace(/\/$/, '') });
  try {
    for (const id of ['pause', 'resume', 'getPosition'] as const) client.send({ id });
    client.send({ id: 'doSeek', position: 1000 });
    client.send({ id: 'doSeek', position: -1 });
    await waitFor('five errors', () => client.received.length >= 5);
    // Each is answered on its own (in any order).
    const answers = client.received.map((m) => JSON.stringify(m)).sort();
    assert.deepEqual(answers, [
      { id: 'error', message: 'doSeek: "position" must be a whole number of milliseconds, 0 or more' },
      ...Array.from({ length: 4 }, () => ({ id: 'error', message: NOT_PLAYING })),
    ].map((m) => JSON.stringify(m)).sort());
  } finally {
    await client.close();
  }
  await run.expectPipelines([]);
});

test(`a file:// video: plays, videoInfo shown, Pause stops the picture and the clock, Seek lands within 0.5 s, playEnd at the end`, async (t) => {
  const decoded = await startPlaying(pathToFileURL(video).href);
  t.diagnostic(`frames decoded: ${decoded}`);
  const [shape] = await run.expectPipelines([2]);
  assert.deepEqual(shape?.elements, ['PlayerEndpoint', 'WebRtcEndpoint']);
  await waitFor('videoInfo shown', async () => (await text('#duration')) !== '–', 10_000, 100);
  assert.equal(await text('#isSeekable'), 'yes');
  const duration = Number((await text('#duration')).replace(' ms', ''));
  assert.ok(Math.abs(duration - VIDEO_SECONDS * 1000) < 200, `duration ${duration} ms`);
  assert.equal(await text('#initSeek'), '0 ms');

  await page.page.click('#pause');
  await inState('paused');
  // Pausing stops the player's clock and the picture: no new frames, the position stays.
  await new Promise((r) => setTimeout(r, 500)); // frames already on their way arrive
  const [pausedAt, framesAtPause] = [await positionShown(), await framesDecoded()];
  await new Promise((r) => setTimeout(r, 1000));
  const [later, framesLater] = [await positionShown(), await framesDecoded()];
  t.diagnostic(`paused at ${pausedAt} ms (frames ${framesAtPause}), 1 s later ${later} ms (frames ${framesLater})`);
  assert.ok(Math.abs(later - pausedAt) < 50, `the clock stops while paused: ${pausedAt} → ${later}`);
  assert.ok(framesLater - framesAtPause <= 2, `no new pictures while paused: ${framesAtPause} → ${framesLater}`);

  await page.page.fill('#seekPosition', '4000');
  await page.page.click('#doSeek');
  const landed = await waitFor('the seek landed', async () => {
    const p = await positionShown();
    return Math.abs(p - pausedAt) > 100 ? p : null;
  }, 10_000, 100);
  t.diagnostic(`seek to 4000 ms landed at ${landed} ms`);
  assert.ok(Math.abs(landed - 4000) < 500, `landed at ${landed} ms`);

  await page.page.click('#resume');
  await inState('playing');
  const resumedFrom = await framesDecoded();
  await waitFor('pictures again after Resume', async () => (await framesDecoded()) > resumedFrom + 10, MEDIA_WAIT_MS);
  await inState('idle', MEDIA_WAIT_MS); // playEnd
  assert.ok((await page.page.$$eval('#console li.received b', (bs) => bs.map((b) => b.textContent))).includes('← playEnd'), 'playEnd reached the page');
  await run.expectPipelines([]);
  assert.equal(await errorShown(), null);
  assert.deepEqual(page.problems, [], 'no errors in the page');
});

test('the same video over http://: plays; Stop releases the pipeline', async (t) => {
  const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/video.webm`;
  t.diagnostic(`frames decoded: ${await startPlaying(url)}`);
  await run.expectPipelines([2]);
  await page.page.click('#stop');
  await inState('idle');
  await run.expectPipelines([]);
  assert.equal(await errorShown(), null);
});

test('a file outside the media roots: the page shows the media server\'s reason and goes back to idle', async () => {
  await page.page.fill('#videourl', 'file:///etc/passwd');
  await page.page.click('#start');
  const shown = await waitFor('an error shown', errorShown, MEDIA_WAIT_MS, 100);
  assert.match(shown, /uri: .*outside/);
  await inState('idle');
  await run.expectPipelines([]);
});

test('a missing file: the page says it cannot be played, playEnd, idle', async () => {
  await page.page.fill('#videourl', pathToFileURL(join(dir, 'missing.webm')).href);
  await page.page.click('#start');
  const shown = await waitFor('an error shown', errorShown, MEDIA_WAIT_MS, 100);
  assert.match(shown, /Cannot play/);
  await inState('idle');
  await run.expectPipelines([]);
});

test('SIGTERM (Ctrl-C) while a page plays: its session is released and both servers stop', async () => {
  await startPlaying(pathToFileURL(video).href);
  await run.stop(1);
});
