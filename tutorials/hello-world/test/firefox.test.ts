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

before(async () => {
  run = await BrowserRun.start(helloWorld, []);
});

after(async () => {
  await run?.close();
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
