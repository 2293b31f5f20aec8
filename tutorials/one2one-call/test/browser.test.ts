/**
 * The one-to-one call end to end, as users run it: `npm start -w tutorials/one2one-call` (media on
 * 127.0.0.1, free ports), then one headless Chromium per user, each with a fake camera showing a
 * picture of its own, so that a remote video can be checked to be the right person's. The media
 * server's pipelines are the truth for what is released.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, MEDIA_WAIT_MS, type Participant } from '@kurento-ts/tutorial-kit/testing';
import { one2oneCall } from '../src/tutorial.js';
import { register, ring as call } from './calls.js';

let run: BrowserRun;

before(async () => {
  run = await BrowserRun.start(one2oneCall, ['bars', 'ramps', 'checkers']);
});

after(async () => {
  await run?.close();
});

/** A user: its own Chromium with camera number `index`, the page open, registered as `name`. */
async function user(name: string, index: number): Promise<Participant> {
  return register(await run.open(name, index));
}

const callState = (p: Participant): Promise<string | null> => p.page.getAttribute('body', 'data-call');
const errorShown = (p: Participant): Promise<string | null> => p.page.evaluate(() => {
  const box = document.getElementById('error');
  return box && !box.hidden ? box.textContent : null;
});

/** Both ends of a call see and hear the other: the right picture, frames, audio packets. */
async function expectTalking(a: Participant, b: Participant, diagnostic: (s: string) => void): Promise<void> {
  const cameras = run.cameras;
  assert.ok(a.camera && b.camera);
  await waitFor('both pages in the call', async () => (await callState(a)) === 'inCall' && (await callState(b)) === 'inCall', MEDIA_WAIT_MS);
  const [seenByA, seenByB] = await Promise.all([a.expectPicture('#videoOutput', b.camera, cameras), b.expectPicture('#videoOutput', a.camera, cameras)]);
  diagnostic(`${a.name} sees ${b.name}: ${JSON.stringify(seenByA)}; ${b.name} sees ${a.name}: ${JSON.stringify(seenByB)}`);
  const [heardByA, heardByB] = await Promise.all([a.expectAudio('#videoOutput'), b.expectAudio('#videoOutput')]);
  diagnostic(`audio in: ${a.name} ${JSON.stringify(heardByA)}, ${b.name} ${JSON.stringify(heardByB)}`);
  // Each still shows its own camera locally.
  await Promise.all([a.expectPicture('#videoInput', a.camera, cameras), b.expectPicture('#videoInput', b.camera, cameras)]);
}

/** The page is back to idle: no peer connection, Call enabled, videos detached. */
async function expectIdle(p: Participant): Promise<void> {
  await waitFor(`${p.name}'s page idle`, async () => (await callState(p)) === 'idle' && (await p.openPeers()) === 0, 10_000);
  assert.deepEqual(await p.page.evaluate(() => ({
    call: !(document.getElementById('call') as HTMLButtonElement).disabled,
    stop: !(document.getElementById('terminate') as HTMLButtonElement).disabled,
    output: (document.getElementById('videoOutput') as HTMLVideoElement).srcObject,
    input: (document.getElementById('videoInput') as HTMLVideoElement).srcObject,
  })), { call: true, stop: false, output: null, input: null }, `${p.name}'s page after the call`);
}

test('npm start -w tutorials/one2one-call prints both addresses', () => {
  assert.match(run.app.url, /^https:\/\/localhost:\d+\/$/);
  assert.match(run.app.kurentoUrl, /^ws:\/\/127\.0\.0\.1:\d+\/kurento$/);
});

test('alice calls bob, bob accepts: each sees and hears the other (the right camera); alice stops, bob is told, all is released', async (t) => {
  const [alice, bob] = await Promise.all([user('alice', 0), user('bob', 1)]);
  await call(alice, bob);
  await bob.page.click('#accept');
  await expectTalking(alice, bob, (s) => t.diagnostic(s));
  const [shape] = await run.expectPipelines([2]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint', 'WebRtcEndpoint']);

  await alice.page.click('#terminate');
  await Promise.all([expectIdle(alice), expectIdle(bob)]);
  assert.equal(await errorShown(bob), 'alice hung up');
  await run.expectPipelines([]);

  // And again, stopped from the callee's side this time.
  await call(bob, alice);
  await alice.page.click('#accept');
  await expectTalking(bob, alice, (s) => t.diagnostic(s));
  await alice.page.click('#terminate');
  await Promise.all([expectIdle(alice), expectIdle(bob)]);
  assert.equal(await errorShown(bob), 'alice hung up');
  await run.expectPipelines([]);
  for (const p of [alice, bob]) assert.deepEqual(p.problems, [], `no errors in ${p.name}'s page`);
});

test('a call rejected: the caller is told "user declined", its camera let go, nothing created', async () => {
  const [alice, carol] = [run.participants[0], await user('carol', 2)];
  assert.ok(alice);
  await call(carol, alice);
  await alice.page.click('#reject');
  await waitFor('carol told', async () => (await errorShown(carol)) === 'user declined', 10_000);
  await Promise.all([expectIdle(alice), expectIdle(carol)]);
  await run.expectPipelines([]);
});

test('a tab closed mid-call: the other is told, the pipeline released, and the name can register again', async (t) => {
  const [alice, , carol] = run.participants;
  assert.ok(alice && carol);
  await call(alice, carol);
  await carol.page.click('#accept');
  await expectTalking(alice, carol, (s) => t.diagnostic(s));
  await run.expectPipelines([2]);
  await carol.closeTab();
  await expectIdle(alice);
  assert.equal(await errorShown(alice), 'carol left');
  await run.expectPipelines([]);
  const again = await user('carol', 2);
  assert.equal(await again.page.getAttribute('body', 'data-register'), 'registered');
});

test('SIGTERM stops the media server and the page server: nothing is left listening', async () => {
  await run.stop(3);
});
