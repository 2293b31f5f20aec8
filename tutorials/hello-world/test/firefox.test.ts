/**
 * Hello World in Debian's Firefox ESR (Kurento's tutorials promise "Chrome, Firefox"): the
 * tutorial started as users start it (free ports, media on 127.0.0.1), the page opened in a
 * headless Firefox driven over WebDriver BiDi with its fake camera, Start pressed. Firefox numbers
 * VP8 differently from Chromium (its own payload type), and cannot send H.264 here (its OpenH264
 * plugin is a download), so the loop must come back as VP8.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, MEDIA_WAIT_MS } from '@kurento-ts/tutorial-kit/testing';
import { helloWorld } from '../src/tutorial.js';

let run: BrowserRun;

/** `HH:MM:SS.mmm` as the log shows it, in ms of the day (a run across midnight goes on counting). */
let lastMs = 0;
function clockMs(text: string): number {
  const m = /(\d+):(\d+):(\d+)\.(\d+)/.exec(text);
  assert.ok(m, `a time in the log: ${JSON.stringify(text)}`);
  let ms = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
  if (ms < lastMs - 12 * 3600_000) ms += 24 * 3600_000;
  lastMs = ms;
  return ms;
}

before(async () => {
  run = await BrowserRun.start(helloWorld, []);
});

after(async () => {
  await run?.close();
});

test('npm start says which address it offers for media, and warns that loopback reaches this machine only', () => {
  assert.match(run.app.output(), /^Media offered on 127\.0\.0\.1 \(--network-interfaces\)$/m);
  assert.match(run.app.output(), /^hello-world: warning: media only on loopback: only browsers on this machine get media \(Chromium with --allow-loopback-in-peer-connection, Firefox with media\.peerconnection\.ice\.loopback\)$/m);
});

test('Firefox: Start plays the camera back through the media server (frames decoded, VP8); Stop releases the pipeline', async (t) => {
  const firefox = await run.openFirefox('firefox');
  await firefox.page.click('#start');
  await firefox.page.waitForSelector('body[data-state="playing"]', { timeout: MEDIA_WAIT_MS });
  const [shape] = await run.expectPipelines([1]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint']);

  // What a person checks: the video below shows what the camera above shows, and moves.
  const seen = await firefox.expectPicture('#videoOutput', firefox.livePicture('#videoInput'), []);
  t.diagnostic(`videoOutput: ${JSON.stringify(seen)}`);
  const inbound = await waitFor('Firefox decoding the video it gets back', async () => {
    const first = await firefox.inbound('#videoOutput');
    if (!first || first.video.framesDecoded === 0) return null;
    await new Promise((r) => setTimeout(r, 500));
    const later = await firefox.inbound('#videoOutput');
    return later && later.video.framesDecoded > first.video.framesDecoded ? later : null;
  }, MEDIA_WAIT_MS, 250);
  t.diagnostic(`inbound: ${JSON.stringify(inbound)}`);
  assert.equal(inbound.video.codec?.mimeType.toLowerCase(), 'video/vp8', 'Firefox receives VP8');
  await firefox.expectAudio('#videoOutput');

  // The event log: the server's events between the page's own steps, in the order they came,
  // so its times (all on the page's clock) never go back.
  const log = await waitFor('the media server\'s events in the log', async () => {
    const lines = await firefox.page.$$eval('#events li', (items) => items.map((li) => [li.querySelector('time')?.textContent ?? '', li.querySelector('b')?.textContent ?? ''] as const));
    return lines.some(([, name]) => name === 'MediaFlowInStateChanged') && lines.some(([, name]) => name === 'MediaFlowOutStateChanged') ? lines : null;
  }, MEDIA_WAIT_MS, 250);
  t.diagnostic(`event log: ${JSON.stringify(log)}`);
  assert.ok(new Set(log.map(([, name]) => name)).size >= 5, 'page steps and server events both in the log');
  const times = log.map(([time]) => clockMs(time));
  for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) >= (times[i - 1] ?? 0), `line ${i} (${JSON.stringify(log[i])}) is timed before line ${i - 1} (${JSON.stringify(log[i - 1])})`);

  await firefox.page.click('#stop');
  await run.expectPipelines([]);
  await waitFor('the page idle, its peer connection closed', async () =>
    (await firefox.page.getAttribute('body', 'data-state')) === 'idle' && (await firefox.openPeers()) === 0, 10_000);
  assert.deepEqual(firefox.problems, [], 'no errors in the page');
});

test('Firefox: a tab closed while playing releases its pipeline', async () => {
  const firefox = run.participants[0];
  assert.ok(firefox);
  await firefox.page.click('#start');
  await firefox.page.waitForSelector('body[data-state="playing"]', { timeout: MEDIA_WAIT_MS });
  await run.expectPipelines([1]);
  await firefox.closeTab();
  await run.expectPipelines([]);
});

test('SIGTERM stops the media server and the page server: nothing is left listening', async () => {
  await run.stop(0);
});
