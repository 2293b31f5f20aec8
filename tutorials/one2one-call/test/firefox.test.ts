/**
 * A one-to-one call between two browsers that number their codecs differently: alice in
 * Chromium (a file camera showing bars), bob in Debian's Firefox ESR (its fake camera, a colour
 * that cycles). Each must see the other's picture and hear the other, in both directions of the
 * call: the media server carries VP8 and Opus from one payload-type numbering to the other.
 * Firefox cannot send H.264 here (its OpenH264 plugin is a download), so the call is VP8.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, MEDIA_WAIT_MS, type Participant, type ProbeInbound } from '@kurento-ts/tutorial-kit/testing';
import { one2oneCall } from '../src/tutorial.js';
import { register, ring } from './calls.js';

let run: BrowserRun;

before(async () => {
  // checkers: a camera nobody uses, so that "alice's picture" must also be unlike another one.
  run = await BrowserRun.start(one2oneCall, ['bars', 'checkers']);
});

after(async () => {
  await run?.close();
});

/** `from` calls `to`, who accepts: both pages in the call. */
async function call(from: Participant, to: Participant): Promise<void> {
  await ring(from, to);
  await to.page.click('#accept');
  await waitFor('both pages in the call', async () =>
    (await from.page.getAttribute('body', 'data-call')) === 'inCall' && (await to.page.getAttribute('body', 'data-call')) === 'inCall', MEDIA_WAIT_MS);
}

/** The video `p` decodes from the other side, once frames come in. */
function decoding(p: Participant): Promise<ProbeInbound> {
  return waitFor(`${p.name} decoding the remote video`, async () => {
    const inbound = await p.inbound('#videoOutput');
    return inbound && inbound.video.framesDecoded > 10 && inbound.video.codec ? inbound : null;
  }, MEDIA_WAIT_MS, 250);
}

/** Both see and hear the other; the remote video is VP8 in each, on each browser's own payload type. */
async function expectTalking(alice: Participant, bob: Participant, diagnostic: (s: string) => void): Promise<void> {
  assert.ok(alice.camera);
  const [aliceSees, bobSees] = await Promise.all([
    alice.expectPicture('#videoOutput', bob.livePicture('#videoInput'), run.cameras),
    bob.expectPicture('#videoOutput', alice.camera, run.cameras),
  ]);
  diagnostic(`alice (Chromium) sees bob: ${JSON.stringify(aliceSees)}; bob (Firefox) sees alice: ${JSON.stringify(bobSees)}`);
  const [atAlice, atBob] = await Promise.all([decoding(alice), decoding(bob)]);
  diagnostic(`video in: Chromium ${JSON.stringify(atAlice.video)}, Firefox ${JSON.stringify(atBob.video)}`);
  for (const inbound of [atAlice, atBob]) assert.equal(inbound.video.codec?.mimeType.toLowerCase(), 'video/vp8');
  assert.notEqual(atAlice.video.codec?.payloadType, atBob.video.codec?.payloadType, 'the browsers number VP8 differently (what this test is about)');
  const [aliceHears, bobHears] = await Promise.all([alice.expectAudio('#videoOutput'), bob.expectAudio('#videoOutput')]);
  diagnostic(`audio in: Chromium ${JSON.stringify(aliceHears)}, Firefox ${JSON.stringify(bobHears)}`);
}

async function hangUp(by: Participant, other: Participant): Promise<void> {
  await by.page.click('#terminate');
  for (const p of [by, other]) {
    await waitFor(`${p.name}'s page idle`, async () => (await p.page.getAttribute('body', 'data-call')) === 'idle' && (await p.openPeers()) === 0, 10_000);
  }
  await run.expectPipelines([]);
}

test('Chromium calls Firefox, then Firefox calls Chromium: each sees and hears the other; hanging up releases all', async (t) => {
  const [alice, bob] = await Promise.all([run.open('alice', 0).then(register), run.openFirefox('bob').then(register)]);

  await call(alice, bob);
  const [shape] = await run.expectPipelines([2]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint', 'WebRtcEndpoint']);
  await expectTalking(alice, bob, (s) => t.diagnostic(`Chromium → Firefox: ${s}`));
  await hangUp(alice, bob);

  await call(bob, alice);
  await expectTalking(alice, bob, (s) => t.diagnostic(`Firefox → Chromium: ${s}`));
  await hangUp(bob, alice);
  for (const p of [alice, bob]) assert.deepEqual(p.problems, [], `no errors in ${p.name}'s page`);
});

test('SIGTERM stops the media server and the page server: nothing is left listening', async () => {
  await run.stop(2);
});
