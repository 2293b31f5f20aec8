/**
 * The one-to-one call end to end, as users run it: `npm start -w tutorials/one2one-call` (media on
 * 127.0.0.1, free ports), then one headless Chromium per user, each with a fake camera showing a
 * picture of its own, so that a remote video can be checked to be the right person's. The media
 * server's pipelines are the truth for what is released.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KurentoClient } from '@kurento-ts/client';
import { waitFor } from '@kurento-ts/test-utils';
import { expectPipelines, listening, makeCameras, MEDIA_WAIT_MS, npmStart, Participant, type Cameras, type Started } from '@kurento-ts/tutorial-kit/testing';
import { one2oneCall } from '../src/tutorial.js';

const ARGS = ['--port', '0', '--kurento-port', '0', '--network-interfaces', '127.0.0.1'];

let app: Started | undefined;
let kurento: KurentoClient | undefined;
let cameras: Cameras | undefined;
const open: Participant[] = [];

before(async () => {
  cameras = await makeCameras(['bars', 'ramps', 'checkers']);
  app = await npmStart({ title: one2oneCall.title, workspace: 'tutorials/one2one-call' }, ARGS);
  kurento = await KurentoClient.connect(app.kurentoUrl, { reconnect: false });
});

after(async () => {
  for (const p of open) await p.close();
  await kurento?.close();
  await app?.stop();
  cameras?.remove();
});

/** A user: its own Chromium with camera number `index`, the page open, registered as `name`. */
async function user(name: string, index: number): Promise<Participant> {
  assert.ok(app && cameras);
  const p = await Participant.open(name, cameras.list[index], app.url);
  open.push(p);
  await p.page.fill('#name', name);
  await p.page.click('#register');
  await p.page.waitForSelector('body[data-register="registered"]', { timeout: 10_000 });
  return p;
}

async function call(from: Participant, to: Participant): Promise<void> {
  await from.page.fill('#peer', to.name);
  await from.page.click('#call');
  await to.page.waitForSelector('#accept', { state: 'visible', timeout: MEDIA_WAIT_MS });
  assert.equal(await to.page.textContent('#incoming-text'), `${from.name} is calling you.`);
}

const callState = (p: Participant): Promise<string | null> => p.page.getAttribute('body', 'data-call');
const errorShown = (p: Participant): Promise<string | null> => p.page.evaluate(() => {
  const box = document.getElementById('error');
  return box && !box.hidden ? box.textContent : null;
});

/** Both ends of a call see and hear the other: the right picture, frames, audio packets. */
async function expectTalking(a: Participant, b: Participant, diagnostic: (s: string) => void): Promise<void> {
  assert.ok(cameras && a.camera && b.camera);
  await waitFor('both pages in the call', async () => (await callState(a)) === 'inCall' && (await callState(b)) === 'inCall', MEDIA_WAIT_MS);
  const [seenByA, seenByB] = await Promise.all([a.expectPicture('#videoOutput', b.camera, cameras.list), b.expectPicture('#videoOutput', a.camera, cameras.list)]);
  diagnostic(`${a.name} sees ${b.name}: ${JSON.stringify(seenByA)}; ${b.name} sees ${a.name}: ${JSON.stringify(seenByB)}`);
  const [heardByA, heardByB] = await Promise.all([a.expectAudio('#videoOutput'), b.expectAudio('#videoOutput')]);
  diagnostic(`audio in: ${a.name} ${JSON.stringify(heardByA)}, ${b.name} ${JSON.stringify(heardByB)}`);
  // Each still shows its own camera locally.
  await Promise.all([a.expectPicture('#videoInput', a.camera, cameras.list), b.expectPicture('#videoInput', b.camera, cameras.list)]);
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
  assert.ok(app);
  assert.match(app.url, /^https:\/\/localhost:\d+\/$/);
  assert.match(app.kurentoUrl, /^ws:\/\/127\.0\.0\.1:\d+\/kurento$/);
});

test('alice calls bob, bob accepts: each sees and hears the other (the right camera); alice stops, bob is told, all is released', async (t) => {
  assert.ok(kurento);
  const [alice, bob] = await Promise.all([user('alice', 0), user('bob', 1)]);
  await call(alice, bob);
  await bob.page.click('#accept');
  await expectTalking(alice, bob, (s) => t.diagnostic(s));
  const [shape] = await expectPipelines(kurento, [2]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint', 'WebRtcEndpoint']);

  await alice.page.click('#terminate');
  await Promise.all([expectIdle(alice), expectIdle(bob)]);
  assert.equal(await errorShown(bob), 'alice hung up');
  await expectPipelines(kurento, []);

  // And again, stopped from the callee's side this time.
  await call(bob, alice);
  await alice.page.click('#accept');
  await expectTalking(bob, alice, (s) => t.diagnostic(s));
  await alice.page.click('#terminate');
  await Promise.all([expectIdle(alice), expectIdle(bob)]);
  assert.equal(await errorShown(bob), 'alice hung up');
  await expectPipelines(kurento, []);
  for (const p of [alice, bob]) assert.deepEqual(p.problems, [], `no errors in ${p.name}'s page`);
});

test('a call rejected: the caller is told "user declined", its camera let go, nothing created', async () => {
  assert.ok(kurento);
  const [alice, carol] = [open[0], await user('carol', 2)];
  assert.ok(alice);
  await call(carol, alice);
  await alice.page.click('#reject');
  await waitFor('carol told', async () => (await errorShown(carol)) === 'user declined', 10_000);
  await Promise.all([expectIdle(alice), expectIdle(carol)]);
  await expectPipelines(kurento, []);
});

test('a tab closed mid-call: the other is told, the pipeline released, and the name can register again', async (t) => {
  assert.ok(kurento && app);
  const [alice, , carol] = open;
  assert.ok(alice && carol);
  await call(alice, carol);
  await carol.page.click('#accept');
  await expectTalking(alice, carol, (s) => t.diagnostic(s));
  await expectPipelines(kurento, [2]);
  await carol.closeTab();
  await expectIdle(alice);
  assert.equal(await errorShown(alice), 'carol left');
  await expectPipelines(kurento, []);
  const again = await user('carol', 2);
  assert.equal(await again.page.getAttribute('body', 'data-register'), 'registered');
});

test('SIGTERM stops the media server and the page server: nothing is left listening', async () => {
  assert.ok(app);
  const ports = [new URL(app.url).port, new URL(app.kurentoUrl).port].map(Number);
  await kurento?.close();
  kurento = undefined;
  await app.stop();
  assert.match(app.output(), /one2one-call: SIGTERM, releasing \d+ session\(s\) and stopping/);
  for (const port of ports) assert.equal(await listening(port), false, `nothing listens on ${port}`);
  app = undefined;
});
