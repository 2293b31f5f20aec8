/**
 * The one-to-many call end to end, as users run it: `npm start -w tutorials/one2many-call`
 * (media on 127.0.0.1, free ports), a presenter and three viewers, each in a headless Chromium of
 * its own; the presenter's fake camera shows a picture of its own, so that each viewer can be
 * checked to show that picture. The media server's pipelines are the truth for what is released.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, expectDashboard, MEDIA_WAIT_MS, type Participant } from '@kurento-ts/tutorial-kit/testing';
import { NO_PRESENTER, PRESENTER_TAKEN } from '../src/messages.js';
import { one2manyCall } from '../src/tutorial.js';

let run: BrowserRun;
const pages = new Map<string, Participant>();

before(async () => {
  // The embedded media server's pipeline dashboard on too: an operator watches the call.
  run = await BrowserRun.start(one2manyCall, ['bars', 'ramps', 'checkers'], { KURENTO_DASHBOARD: 'true' });
  const opened = await Promise.all([run.open('presenter', 0), run.open('viewer 1'), run.open('viewer 2'), run.open('late viewer', 1)]);
  for (const p of opened) pages.set(p.name, p);
});

after(async () => {
  await run?.close();
});

function page(name: string): Participant {
  const p = pages.get(name);
  assert.ok(p, name);
  return p;
}

const state = (p: Participant): Promise<string | null> => p.page.getAttribute('body', 'data-state');
const errorShown = (p: Participant): Promise<string | null> => p.page.evaluate(() => {
  const box = document.getElementById('error');
  return box && !box.hidden ? box.textContent : null;
});

/** Waits until the page is idle again: no peer connection open, its error box saying `error`. */
async function expectIdle(p: Participant, error: string | null): Promise<void> {
  await waitFor(`${p.name}'s page idle`, async () => (await state(p)) === 'idle' && (await p.openPeers()) === 0, 10_000);
  assert.equal(await errorShown(p), error, `${p.name}'s error box`);
  assert.equal(await p.page.$eval('#video', (v) => (v as HTMLVideoElement).srcObject), null, `${p.name}'s video detached`);
}

/** The viewer shows the presenter's picture and plays its audio. */
async function expectWatching(viewer: Participant, diagnostic: (s: string) => void): Promise<void> {
  const presenterCamera = page('presenter').camera;
  assert.ok(presenterCamera);
  await waitFor(`${viewer.name} viewing`, async () => (await state(viewer)) === 'viewer', MEDIA_WAIT_MS);
  const seen = await viewer.expectPicture('#video', presenterCamera, run.cameras);
  const audio = await viewer.expectAudio('#video');
  diagnostic(`${viewer.name}: ${JSON.stringify(seen)}, audio ${JSON.stringify(audio)}`);
}

test('a viewer before any presenter: the page says there is none and goes back to idle', async () => {
  const viewer = page('viewer 1');
  await viewer.page.click('#viewer');
  await waitFor('the refusal shown', async () => (await errorShown(viewer)) === NO_PRESENTER, 10_000);
  await expectIdle(viewer, NO_PRESENTER);
  await run.expectPipelines([]);
});

test('a presenter and two viewers: each viewer shows the presenter\'s camera and plays its audio', async (t) => {
  const presenter = page('presenter');
  await presenter.page.click('#call');
  await waitFor('presenting', async () => (await state(presenter)) === 'presenter', MEDIA_WAIT_MS);
  assert.ok(presenter.camera);
  await presenter.expectPicture('#video', presenter.camera, run.cameras); // its own camera, locally
  const viewers = [page('viewer 1'), page('viewer 2')];
  for (const v of viewers) await v.page.click('#viewer');
  for (const v of viewers) await expectWatching(v, (s) => t.diagnostic(s));
  const [shape] = await run.expectPipelines([3]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint', 'WebRtcEndpoint', 'WebRtcEndpoint']);
  // The dashboard shows the presenter and its two viewers, media flowing to each.
  await expectDashboard(run.app.kurentoUrl, { elements: { WebRtcEndpoint: 3 }, flowingVideoEdges: 2 });
});

test('a second presenter is refused (its camera let go); then it joins late as a viewer and shows the picture quickly', async (t) => {
  const late = page('late viewer');
  await late.page.click('#call');
  await waitFor('the refusal shown', async () => (await errorShown(late)) === PRESENTER_TAKEN, MEDIA_WAIT_MS);
  await expectIdle(late, PRESENTER_TAKEN);
  await run.expectPipelines([3]);

  const clicked = Date.now();
  await late.page.click('#viewer');
  const presenterCamera = page('presenter').camera;
  assert.ok(presenterCamera);
  await late.expectPicture('#video', presenterCamera, run.cameras);
  const pictureAfterMs = Date.now() - clicked;
  await expectWatching(late, (s) => t.diagnostic(s));
  t.diagnostic(`late viewer: the presenter's picture ${pictureAfterMs} ms after pressing Viewer`);
  assert.ok(pictureAfterMs < 5000, `a late viewer's picture within 5 s of pressing Viewer (took ${pictureAfterMs} ms)`);
  await run.expectPipelines([4]);
});

test('a viewer who stops and one who closes the tab are released; the one left keeps playing', async () => {
  const [stopper, closer, stayer] = [page('viewer 1'), page('viewer 2'), page('late viewer')];
  await stopper.page.click('#terminate');
  await expectIdle(stopper, null);
  await run.expectPipelines([3]);
  await closer.closeTab();
  pages.delete(closer.name);
  await run.dismiss(closer);
  await run.expectPipelines([2]);
  const before = await stayer.frames('#video');
  await waitFor('the remaining viewer still presenting frames', async () => (await stayer.frames('#video')) > before + 15, 10_000);
  const camera = page('presenter').camera;
  assert.ok(camera);
  await stayer.expectPicture('#video', camera, run.cameras);
});

test('the presenter stops: the viewers are told and go idle, the pipeline is released', async () => {
  const [presenter, stayer] = [page('presenter'), page('late viewer')];
  await presenter.page.click('#terminate');
  await expectIdle(presenter, null);
  await expectIdle(stayer, 'The presenter stopped');
  await run.expectPipelines([]);
  for (const p of pages.values()) assert.deepEqual(p.problems, [], `no errors in ${p.name}'s page`);
});

test('SIGTERM stops the media server and the page server: nothing is left listening', async () => {
  await run.stop(3);
});
