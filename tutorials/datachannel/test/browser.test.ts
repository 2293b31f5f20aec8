/**
 * The data-channel tutorial end to end, as users run it: `npm start -w tutorials/datachannel`
 * (media on 127.0.0.1, free ports), headless Chromium with a fake camera of its own picture:
 * Start, the video comes back; text typed and sent comes back in the received list, in order;
 * Stop, and nothing is left.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, MEDIA_WAIT_MS, type Participant } from '@kurento-ts/tutorial-kit/testing';
import { datachannel } from '../src/tutorial.js';

let run: BrowserRun;

before(async () => {
  run = await BrowserRun.start(datachannel, ['checkers', 'bars']);
});

after(async () => {
  await run?.close();
});

const state = (p: Participant): Promise<string | null> => p.page.getAttribute('body', 'data-state');
const receivedList = (p: Participant): Promise<string[]> => p.page.$$eval('#received li', (items) => items.map((li) => li.textContent ?? ''));

/** Types `text` into the box and presses Send, as a user does. */
async function type(p: Participant, text: string): Promise<void> {
  await p.page.fill('#text', text);
  await p.page.click('#send');
}

test('Start: the video comes back, and every text sent comes back on the data channel, in order', async (t) => {
  const p = await run.open('sender', 0);
  await p.page.click('#start');
  await waitFor('playing', async () => (await state(p)) === 'playing', MEDIA_WAIT_MS);
  const camera = run.cameras[0];
  assert.ok(camera);
  const seen = await p.expectPicture('#videoOutput', camera, run.cameras);
  t.diagnostic(`remote video: ${JSON.stringify(seen)}`);
  const [shape] = await run.expectPipelines([1]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint']);

  await waitFor('the data channel open', async () => (await p.page.textContent('#channel-state')) === 'open', MEDIA_WAIT_MS);
  const texts = ['Hello, Kurento', 'über ✓ 数据通道', 'x'.repeat(8000), ...Array.from({ length: 20 }, (_, i) => `message ${i + 1}`), 'the last one'];
  for (const text of texts) await type(p, text);
  assert.equal(await p.page.inputValue('#text'), '', 'the box is emptied after each Send');
  const back = await waitFor('every text back', async () => {
    const list = await receivedList(p);
    return list.length >= texts.length ? list : null;
  }, MEDIA_WAIT_MS, 200).catch(async (e: unknown) => {
    throw new Error(`${(e as Error).message}; received ${JSON.stringify((await receivedList(p)).map((s) => s.slice(0, 40)))}`);
  });
  assert.deepEqual(back, texts, 'the same texts, in the order sent');
  t.diagnostic(`${back.length} texts back, the longest ${Math.max(...back.map((s) => s.length))} characters`);

  await p.page.click('#stop');
  await waitFor('idle', async () => (await state(p)) === 'idle' && (await p.openPeers()) === 0, 10_000);
  assert.equal(await p.page.isDisabled('#send'), true, 'Send is disabled once stopped');
  await run.expectPipelines([]);
  assert.deepEqual(p.problems, [], 'no errors in the page');
});

test('two pages at once: each gets its own texts back, not the other\'s', async () => {
  const [a, b] = [run.participants[0], await run.open('second', 1)];
  assert.ok(a && b);
  for (const p of [a, b]) await p.page.click('#start');
  for (const p of [a, b]) await waitFor(`${p.name}'s data channel open`, async () => (await p.page.textContent('#channel-state')) === 'open', MEDIA_WAIT_MS);
  await run.expectPipelines([1, 1]);
  await type(a, 'from a');
  await type(b, 'from b');
  await type(a, 'a again');
  await waitFor('both lists', async () => (await receivedList(a)).length === 2 && (await receivedList(b)).length === 1, MEDIA_WAIT_MS);
  assert.deepEqual(await receivedList(a), ['from a', 'a again']);
  assert.deepEqual(await receivedList(b), ['from b']);
  await b.closeTab(); // without Stop
  await run.expectPipelines([1]);
  await a.page.click('#stop');
  await run.expectPipelines([]);
});

test('SIGTERM stops the media server and the page server: nothing is left listening', async () => {
  await run.stop(1);
});
