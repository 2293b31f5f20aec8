/**
 * The `/recording` protocol over raw WebSockets, against the app started in-process on a free
 * port and pointed (`--ws-uri`) at a media server of the test's own (the kit's rig, whose close()
 * fails on a UDP socket left open). The page's WebRTC side is a stand-in WebRtcEndpoint, which
 * connects but sends no media: what a recording without media does is checked here.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { closedDuringStartTests, startSignallingRig, type SignallingRig } from '@kurento-ts/tutorial-kit/testing';
import { NOTHING_RECORDED, type ServerMessage } from '../src/messages.js';
import { recorder } from '../src/tutorial.js';

let rig: SignallingRig;

before(async () => {
  rig = await startSignallingRig(recorder);
});

afterEach(async () => {
  await rig.settle();
});

after(async () => {
  await rig?.close();
});

const ids = (messages: readonly ServerMessage[]): string[] => messages.map((m) => m.id).filter((id) => id !== 'iceCandidate');

test('malformed messages are answered with error, naming what is wrong', async () => {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'start', sdpOffer: 'v=0', mode: 'smell-only' });
  client.send({ id: 'play' });
  client.send({ id: 'record' });
  await waitFor('three errors', () => client.received.length >= 3);
  assert.deepEqual(client.received, [
    { id: 'error', message: 'start: "mode" must be "audio-video" or "audio-only" or "video-only"' },
    { id: 'error', message: 'play: "sdpOffer" must be a non-empty string' },
    { id: 'error', message: 'Invalid message id "record"' },
  ]);
});

test('a recording that got no media: startResponse with the file, stopped on stop; Play then says nothing was recorded', async () => {
  const client = await rig.open<ServerMessage>();
  const standIn = await rig.standIn(client);
  client.send({ id: 'start', sdpOffer: await standIn.offer(), mode: 'audio-only' });
  const response = await client.next('startResponse', (m): m is Extract<ServerMessage, { id: 'startResponse' }> => m.id === 'startResponse');
  assert.match(response.uri, /^file:\/\/.*\/kurento-ts-recording-[0-9a-f]{8}\.webm$/);
  await standIn.answer(response.sdpAnswer);
  await standIn.connected();
  const [shape] = await rig.expectAppPipelines([2]);
  assert.deepEqual(shape?.elements, ['RecorderEndpoint', 'WebRtcEndpoint']);
  client.send({ id: 'stop' });
  await client.next('stopped', (m): m is ServerMessage => m.id === 'stopped');
  await rig.expectAppPipelines([]);
  client.send({ id: 'play', sdpOffer: await (await rig.standIn(client)).offer() });
  await client.next('error', (m): m is ServerMessage => m.id === 'error');
  assert.deepEqual(ids(client.received), ['startResponse', 'stopped', 'error']);
  assert.deepEqual(client.received.at(-1), { id: 'error', message: NOTHING_RECORDED });
  rmSync(fileURLToPath(response.uri), { force: true });
});

// Sockets closed at several moments of a start: the app must leave no pipeline behind.
closedDuringStartTests(() => rig, async () => {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'start', sdpOffer: await (await rig.standIn(client)).offer() });
  return client;
}, [0, 5, 20, 60]);

test('close() of the app releases a recording still running', async () => {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'start', sdpOffer: await (await rig.standIn(client)).offer() });
  await client.next('startResponse', (m): m is ServerMessage => m.id === 'startResponse');
  await rig.expectAppPipelines([2]);
  await rig.app.close();
  await rig.expectAppPipelines([]);
  assert.deepEqual(rig.faults, [], 'no faults');
});
