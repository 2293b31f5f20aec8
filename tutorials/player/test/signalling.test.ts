/**
 * The `/player` protocol over raw WebSockets, against the app started in-process on a free port
 * and pointed (`--ws-uri`) at a media server of the test's own (the kit's rig, whose close()
 * fails on a UDP socket left open). The page's WebRTC side is a stand-in WebRtcEndpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, afterEach, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { closedDuringStartTests, makeTestVideo, startSignallingRig, type SignallingRig } from '@kurento-ts/tutorial-kit/testing';
import { MAX_URL_LENGTH, type ServerMessage } from '../src/messages.js';
import { player } from '../src/tutorial.js';

type Of<Id extends ServerMessage['id']> = Extract<ServerMessage, { id: Id }>;
const is = <Id extends ServerMessage['id']>(id: Id) => (m: ServerMessage): m is Of<Id> => m.id === id;

let rig: SignallingRig;
let dir: string;
let video: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kurento-ts-player-signalling-'));
  video = join(dir, 'video.webm');
  await makeTestVideo(video, 2);
  rig = await startSignallingRig(player);
});

afterEach(async () => {
  await rig.settle();
});

after(async () => {
  await rig?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('malformed messages are answered with error, naming what is wrong', async () => {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'start', sdpOffer: 'v=0' });
  client.send({ id: 'start', sdpOffer: 'v=0', videourl: `http://x/${'a'.repeat(MAX_URL_LENGTH)}` });
  client.send({ id: 'doSeek', position: '4000' });
  await waitFor('three errors', () => client.received.length >= 3);
  assert.deepEqual(client.received, [
    { id: 'error', message: 'start: "videourl" must be a non-empty string' },
    { id: 'error', message: `start: "videourl" must be at most ${MAX_URL_LENGTH} characters` },
    { id: 'error', message: 'doSeek: "position" must be a whole number of milliseconds, 0 or more' },
  ]);
});

test('a file played to a stand-in: startResponse, videoInfo once connected, position, a seek past the end refused, playEnd', async () => {
  const client = await rig.open<ServerMessage>();
  const standIn = await rig.standIn(client);
  client.send({ id: 'start', sdpOffer: await standIn.offer(), videourl: pathToFileURL(video).href });
  const { sdpAnswer } = await client.next('startResponse', is('startResponse'));
  await standIn.answer(sdpAnswer);
  await standIn.connected();
  const info = await client.next('videoInfo', is('videoInfo'));
  assert.equal(info.isSeekable, true);
  assert.equal(info.initSeekable, 0);
  assert.ok(Math.abs(info.videoDuration - 2000) < 200, `videoDuration ${info.videoDuration}`);
  const [shape] = await rig.expectAppPipelines([2]);
  assert.deepEqual(shape?.elements, ['PlayerEndpoint', 'WebRtcEndpoint']);
  client.send({ id: 'getPosition' });
  const { position } = await client.next('position', is('position'));
  assert.ok(position >= 0 && position <= 2100, `position ${position}`);
  client.send({ id: 'doSeek', position: 60_000 });
  const seek = await client.next('seek', is('seek'));
  assert.match(seek.message, /^Seek failed: .*outside the seekable range/);
  await client.next('playEnd', is('playEnd'), 10_000);
  await rig.expectAppPipelines([]);
  assert.ok(!client.received.some((m) => m.id === 'error'), JSON.stringify(client.received));
});

// Sockets closed at several moments of a start: the app must leave no pipeline behind.
closedDuringStartTests(() => rig, async () => {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'start', sdpOffer: await (await rig.standIn(client)).offer(), videourl: pathToFileURL(video).href });
  return client;
}, [0, 5, 20, 60]);

test('close() of the app releases a playback still running', async () => {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'start', sdpOffer: await (await rig.standIn(client)).offer(), videourl: pathToFileURL(video).href });
  await client.next('startResponse', is('startResponse'));
  await rig.expectAppPipelines([2]);
  await rig.app.close();
  await rig.expectAppPipelines([]);
  assert.deepEqual(rig.faults, [], 'no faults');
});
