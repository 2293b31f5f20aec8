/**
 * The tutorial end to end, as a newcomer runs it: `npm start` at the repository root, then
 * https://localhost:8443 in (headless Debian) Chromium with a fake camera. The app is started
 * once for the file; the last test stops it the way Ctrl-C does and checks nothing is left.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KurentoClient } from '@kurento-ts/client';
import { launchChromium, waitFor, type Browser } from '@kurento-ts/test-utils';
import { assertPortsFree, listening, npmStart, type Started } from '@kurento-ts/tutorial-kit/testing';
import { checkLoopback, eventsShown, MEDIA_WAIT_MS, openTab, startLoopback, statsShown, type Tab } from './helpers/page.js';

const PAGE_PORT = 8443;
const KURENTO_PORT = 8888;
const KURENTO_URL = `ws://127.0.0.1:${KURENTO_PORT}/kurento`;
/**
 * The media server offers only 127.0.0.1 for media (Chromium, with
 * --allow-loopback-in-peer-connection, can reach it), so the tests work on a machine with no
 * network but loopback. By default it offers every other interface instead (README).
 */
const ENV = { KURENTO_NETWORK_INTERFACES: '127.0.0.1' };

let app: Started | undefined;
let browser: Browser | undefined;
let kurento: KurentoClient | undefined;

/** The media server's pipelines, asked through its ServerManager. */
async function pipelines(): Promise<number> {
  assert.ok(kurento);
  return (await (await kurento.getServerManager()).getPipelines()).length;
}

const noPipelineLeft = () => waitFor('every pipeline released', async () => (await pipelines()) === 0, 10_000);

before(async () => {
  await assertPortsFree([PAGE_PORT, KURENTO_PORT]);
  app = await npmStart({ title: 'Hello World' }, [], ENV);
  browser = await launchChromium();
  kurento = await KurentoClient.connect(KURENTO_URL, { reconnect: false });
});

after(async () => {
  await browser?.close();
  await kurento?.close();
  await app?.stop();
});

test('npm start prints both addresses, and the media address it offers (loopback only: a warning)', () => {
  assert.ok(app);
  assert.equal(app.url, `https://localhost:${PAGE_PORT}/`);
  assert.match(app.output(), new RegExp(`Kurento-TS media server ready on ${KURENTO_URL}\n`));
  assert.match(app.output(), /^Media offered on 127\.0\.0\.1 \(--network-interfaces\)$/m);
  assert.match(app.output(), /^hello-world: warning: media only on loopback: only browsers on this machine get media/m);
});

test('Start: videoOutput plays what videoInput shows, the event log and the stats fill in; Stop releases the pipeline', async (t) => {
  assert.ok(browser && app);
  const tab = await openTab(browser, app.url);
  try {
    const loop = await startLoopback(tab);
    t.diagnostic(`loopback: ${JSON.stringify(loop)}`);
    assert.equal(await pipelines(), 1, 'one pipeline while playing');
    assert.equal(await tab.page.getAttribute('body', 'data-state'), 'playing');
    assert.equal(await tab.page.isVisible('#spinner'), false, 'no spinner once playing');

    const expected = ['IceCandidateFound', 'IceGatheringDone', 'IceComponentStateChanged', 'NewCandidatePairSelected', 'ConnectionStateChanged', 'MediaStateChanged', 'MediaFlowInStateChanged', 'MediaFlowOutStateChanged'];
    const events = await waitFor('the media server\'s events in the log', async () => {
      const shown = await eventsShown(tab);
      return expected.every((name) => shown.some(([n]) => n === name)) ? shown : null;
    }, MEDIA_WAIT_MS, 250);
    t.diagnostic(`event log: ${JSON.stringify(events)}`);
    assert.ok(events.some(([n, detail]) => n === 'MediaFlowInStateChanged' && /VIDEO FLOWING/.test(detail)), 'the log says video flows in');
    assert.ok(events.some(([n, detail]) => n === 'ConnectionStateChanged' && /→ CONNECTED/.test(detail)), 'the log says connected');
    assert.ok(events.some(([n, detail]) => n === 'IceCandidateFound' && /^udp 127\.0\.0\.1:\d+ host$/.test(detail)), 'the server offers 127.0.0.1');

    const stats = await waitFor('numbers in the stats panel', async () => {
      const s = await statsShown(tab);
      const ok = /^\d+ × \d+$/.test(s['resolution'] ?? '') && /^\d+ fps$/.test(s['framerate'] ?? '') &&
        /^[\d.]+ (k|M)bit\/s$/.test(s['bitrate-in'] ?? '') && /^[\d.]+ (k|M)bit\/s$/.test(s['bitrate-out'] ?? '') && /^[\d.]+ ms$/.test(s['rtt'] ?? '');
      return ok ? s : null;
    }, 10_000, 250);
    t.diagnostic(`stats panel: ${JSON.stringify(stats)}`);
    assert.ok(Number(stats['resolution']?.split(' × ')[0]) >= 320, 'the remote video is at least 320 wide');

    await tab.page.click('#stop');
    await noPipelineLeft();
    assert.deepEqual(await tab.page.evaluate(() => ({
      state: document.body.dataset['state'],
      input: (document.getElementById('videoInput') as HTMLVideoElement).srcObject,
      output: (document.getElementById('videoOutput') as HTMLVideoElement).srcObject,
      startEnabled: !(document.getElementById('start') as HTMLButtonElement).disabled,
      error: (document.getElementById('error') as HTMLElement).hidden,
    })), { state: 'idle', input: null, output: null, startEnabled: true, error: true }, 'stopped: videos detached, Start enabled, no error');
    assert.deepEqual(tab.problems, [], 'no errors in the page');
  } finally {
    await tab.page.close();
  }
});

test('two tabs at once: two independent loopbacks, two pipelines, none after Stop', async (t) => {
  assert.ok(browser && app);
  const tabs: Tab[] = [await openTab(browser, app.url), await openTab(browser, app.url)];
  try {
    for (const tab of tabs) await tab.page.click('#start');
    // Both sessions run together; each is looked at in turn (only the front tab presents frames).
    for (const tab of tabs) t.diagnostic(`loopback: ${JSON.stringify(await checkLoopback(tab))}`);
    assert.equal(await pipelines(), 2, 'one pipeline per tab');
    for (const tab of tabs) assert.equal(await tab.page.getAttribute('body', 'data-state'), 'playing');
    for (const tab of tabs) await tab.page.click('#stop');
    await noPipelineLeft();
    for (const tab of tabs) assert.deepEqual(tab.problems, [], 'no errors in the page');
  } finally {
    for (const tab of tabs) await tab.page.close();
  }
});

test('a tab closed without Stop: its pipeline is released all the same', async () => {
  assert.ok(browser && app);
  const tab = await openTab(browser, app.url);
  await startLoopback(tab);
  assert.equal(await pipelines(), 1);
  await tab.page.close();
  await noPipelineLeft();
});

test('a start the server refuses: the error is shown, the camera is let go, Start is enabled again', async () => {
  assert.ok(browser && app);
  const sent: string[] = [];
  // The page's socket goes to a stand-in that refuses every start.
  const tab = await openTab(browser, app.url, (page) => page.routeWebSocket(/\/helloworld$/, (ws) => {
    ws.onMessage((text) => {
      const { id } = JSON.parse(String(text)) as { id: string };
      sent.push(id);
      if (id === 'start') ws.send(JSON.stringify({ id: 'error', message: 'No media server today' }));
    });
  }));
  try {
    await tab.page.click('#start');
    await tab.page.waitForSelector('#error', { state: 'visible', timeout: MEDIA_WAIT_MS });
    const shown = await tab.page.evaluate(() => ({
      error: document.getElementById('error')?.textContent,
      state: document.body.dataset['state'],
      startEnabled: !(document.getElementById('start') as HTMLButtonElement).disabled,
      camera: (document.getElementById('videoInput') as HTMLVideoElement).srcObject,
    }));
    assert.deepEqual(shown, { error: 'No media server today', state: 'idle', startEnabled: true, camera: null });
    assert.equal(await tab.page.isVisible('#spinner'), false);
    await waitFor('the page telling the server it stopped', () => sent.includes('stop'));
    assert.equal(sent[0], 'start');
    assert.deepEqual(tab.problems, [], 'no errors in the console (the error is shown on the page)');
  } finally {
    await tab.page.close();
  }
  assert.equal(await pipelines(), 0);
});

test('SIGTERM (what Ctrl-C sends) stops the media server and the page server: nothing is left listening', async () => {
  assert.ok(app);
  await kurento?.close();
  kurento = undefined;
  await app.stop();
  assert.match(app.output(), /SIGTERM, releasing 0 session\(s\) and stopping/);
  assert.equal(await listening(PAGE_PORT), false, `nothing listens on ${PAGE_PORT}`);
  assert.equal(await listening(KURENTO_PORT), false, `nothing listens on ${KURENTO_PORT}`);
  app = undefined;
});
