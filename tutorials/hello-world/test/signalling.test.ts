/**
 * The `/helloworld` protocol over a raw WebSocket, against the app started in-process on a free
 * port and pointed (`--ws-uri`) at a media server of the test's own, which so outlives the app's
 * close() (the kit's signalling rig). The "browser" that makes offers is a second
 * WebRtcEndpoint on that media server, so the whole exchange runs without Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WebRtcEndpoint } from '@kurento-ts/client';
import { waitFor } from '@kurento-ts/test-utils';
import type { TutorialApp } from '@kurento-ts/tutorial-kit';
import { RawClient, startSignallingRig, type SignallingRig } from '@kurento-ts/tutorial-kit/testing';
import WebSocket from 'ws';
import type { ServerMessage } from '../src/messages.js';
import { helloWorld } from '../src/tutorial.js';

const isError = (m: ServerMessage): m is Extract<ServerMessage, { id: 'error' }> => m.id === 'error';
const isAnswer = (m: ServerMessage): m is Extract<ServerMessage, { id: 'startResponse' }> => m.id === 'startResponse';

let rig: SignallingRig;
let app: TutorialApp;
let socketUrl: string;
/** What the app reported as faults (its log). */
let faults: unknown[];

/** Pipelines of the app (the stand-in browser's own one not counted). */
async function appPipelines(): Promise<number> {
  return (await rig.appPipelines()).length;
}

/** Waits until the app holds `n` pipelines, then checks it stays so a moment (no late creation). */
async function expectAppPipelines(n: number): Promise<void> {
  await waitFor(`the app holding ${n} pipeline(s)`, async () => (await appPipelines()) === n, 10_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await appPipelines(), n);
}

/** A stand-in browser: a WebRtcEndpoint on the rig's own pipeline. */
async function newBrowser(): Promise<WebRtcEndpoint> {
  return rig.standIns.create('WebRtcEndpoint');
}

before(async () => {
  rig = await startSignallingRig(helloWorld);
  ({ app, socketUrl, faults } = rig);
  assert.equal(app.embedded, false);
});

after(async () => {
  await rig?.close();
});

test('an unknown message id is answered with error', async () => {
  const client = await RawClient.open<ServerMessage>(socketUrl);
  client.send({ id: 'launch' });
  const { message } = await client.next('error', isError);
  assert.equal(message, 'Invalid message id "launch"');
  await client.close();
});

test('malformed messages are answered with error, and the socket stays usable', async () => {
  const client = await RawClient.open<ServerMessage>(socketUrl);
  client.send('{"id": "start", sdpOffer');
  client.send('[1, 2]');
  client.send({ id: 'start' });
  client.send({ id: 'onIceCandidate', candidate: { candidate: 42 } });
  await waitFor('four errors', () => client.received.filter(isError).length === 4);
  assert.deepEqual(client.received.map((m) => m.id === 'error' && m.message), [
    'Malformed message: not JSON',
    'Malformed message: expected an object with a string "id"',
    'start: "sdpOffer" must be a non-empty string',
    'onIceCandidate: "candidate" must have candidate, sdpMid and sdpMLineIndex',
  ]);
  client.send({ id: 'frobnicate' });
  await waitFor('a fifth error', () => client.received.filter(isError).length === 5);
  await client.close();
  await expectAppPipelines(0);
});

test('start with garbage SDP: error with the media server\'s reason, and no pipeline left', async () => {
  const client = await RawClient.open<ServerMessage>(socketUrl);
  client.send({ id: 'start', sdpOffer: 'this is not SDP' });
  const { message } = await client.next('error', isError);
  assert.match(message, /sdp/i);
  assert.ok(!client.received.some(isAnswer), 'no startResponse');
  await expectAppPipelines(0);
  await client.close();
  assert.deepEqual(faults.map((e) => (e as Error).message), [message], 'the failure reached the log too');
  faults.length = 0;
});

test('start: startResponse, candidates both ways and events; ICE connects; stop releases the pipeline', async () => {
  const browser = await newBrowser();
  const client = await RawClient.open<ServerMessage>(socketUrl);
  // The stand-in browser's candidates go to the app as a page would send them.
  await browser.on('IceCandidateFound', ({ candidate }) => client.send({ id: 'onIceCandidate', candidate }));
  const connected = browser.once('ConnectionStateChanged');
  client.send({ id: 'start', sdpOffer: await browser.generateOffer() });
  const { sdpAnswer } = await client.next('startResponse', isAnswer);
  assert.match(sdpAnswer, /^v=0\r\n/);
  await browser.processAnswer(sdpAnswer);
  await browser.gatherCandidates();
  for (const m of await waitFor('the server\'s candidates', () => client.received.filter((m) => m.id === 'iceCandidate'))) {
    if (m.id === 'iceCandidate') await browser.addIceCandidate(m.candidate);
  }
  assert.equal((await connected).newState, 'CONNECTED');
  const names = await waitFor('IceGatheringDone and a selected pair, as events', () => {
    const seen = client.received.flatMap((m) => (m.id === 'event' ? [m.name] : []));
    return seen.includes('IceGatheringDone') && seen.includes('NewCandidatePairSelected') && seen.includes('ConnectionStateChanged') ? seen : null;
  });
  assert.ok(names.includes('IceCandidateFound'));
  const gathered = client.received.find((m) => m.id === 'event' && m.name === 'IceGatheringDone');
  assert.ok(gathered?.id === 'event' && typeof gathered.data['source'] === 'string' && typeof gathered.data['timestampMillis'] === 'string', 'events carry the media server\'s fields');
  assert.equal(await appPipelines(), 1);

  client.send({ id: 'stop' });
  await expectAppPipelines(0);
  await browser.release();
  await client.close();
});

test('a second start replaces the first session (one pipeline)', async () => {
  const [first, second] = [await newBrowser(), await newBrowser()];
  const client = await RawClient.open<ServerMessage>(socketUrl);
  client.send({ id: 'start', sdpOffer: await first.generateOffer() });
  client.send({ id: 'start', sdpOffer: await second.generateOffer() });
  await client.next('startResponse', isAnswer);
  await expectAppPipelines(1);
  await client.close();
  await expectAppPipelines(0);
  await Promise.all([first.release(), second.release()]);
});

for (const delayMs of [0, 5, 20, 60]) {
  test(`the socket closes ${delayMs} ms into a start: no pipeline is left`, async () => {
    const browser = await newBrowser();
    const offer = await browser.generateOffer();
    const client = await RawClient.open<ServerMessage>(socketUrl);
    client.send({ id: 'start', sdpOffer: offer });
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    client.ws.terminate();
    await expectAppPipelines(0);
    await browser.release();
  });
}

test('the socket: only on /helloworld, only from the page\'s own origin', async () => {
  const wrongPath = new WebSocket(socketUrl.replace(/helloworld$/, 'kurento'), { rejectUnauthorized: false });
  const status = (ws: WebSocket) => new Promise<number | undefined>((resolve) => {
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve(res.statusCode);
    });
    ws.once('open', () => resolve(101));
    ws.once('error', () => resolve(undefined));
  });
  assert.equal(await status(wrongPath), 404);
  const otherSite = new WebSocket(socketUrl, { rejectUnauthorized: false, headers: { origin: 'https://example.com' } });
  assert.equal(await status(otherSite), 403);
  const samePage = await RawClient.open<ServerMessage>(socketUrl, { origin: app.url.replace(/\/$/, '') });
  await samePage.close();
});

test('close() releases the pipelines of sessions still running', async () => {
  const browser = await newBrowser();
  const client = await RawClient.open<ServerMessage>(socketUrl);
  client.send({ id: 'start', sdpOffer: await browser.generateOffer() });
  await client.next('startResponse', isAnswer);
  assert.equal(await appPipelines(), 1);
  await app.close();
  await expectAppPipelines(0);
  assert.equal(client.ws.readyState === WebSocket.CLOSED || client.ws.readyState === WebSocket.CLOSING, true, 'the page socket was closed');
  await browser.release();
  assert.deepEqual(faults, [], 'no faults');
});
