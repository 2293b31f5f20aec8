/**
 * The `/magicmirror` protocol over raw WebSockets, against the app started in-process on a free
 * port and pointed (`--ws-uri`) at a media server of the test's own (the kit's rig, which also
 * fails on a UDP socket left open), with a stand-in WebRtcEndpoint playing the page.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closedDuringStartTests, RawClient, useSignallingRig } from '@kurento-ts/tutorial-kit/testing';
import type { ServerMessage } from '../src/messages.js';
import { magicMirror } from '../src/tutorial.js';

const rig = useSignallingRig(magicMirror);

/** A page that sends a stand-in's offer as `start`. */
async function start(): Promise<RawClient<ServerMessage>> {
  return (await rig().offer<ServerMessage>((sdpOffer) => ({ id: 'start', sdpOffer }))).client;
}

test('malformed messages are answered with error, and the socket stays usable', async () => {
  const client = await rig().open<ServerMessage>();
  assert.deepEqual(await client.refusals(['{"id": "start", sdpOffer', { id: 'start' }, { id: 'onIceCandidate', candidate: {} }, { id: 'mirror' }]), [
    'Malformed message: not JSON',
    'start: "sdpOffer" must be a non-empty string',
    'onIceCandidate: "candidate" must have candidate, sdpMid and sdpMLineIndex',
    'Invalid message id "mirror"',
  ]);
  client.send({ id: 'stop' }); // nothing to stop: harmless
  await rig().expectAppPipelines([]);
  await client.close();
  assert.deepEqual(rig().faults, []);
});

test('start: the endpoint goes through a FaceOverlayFilter whose hat the media server has read; stop releases it', async () => {
  const client = await start();
  const { sdpAnswer } = await client.take('startResponse');
  assert.match(sdpAnswer, /^m=video /m);
  const [shape] = await rig().expectAppPipelines([2]);
  assert.deepEqual(shape?.elements, ['FaceOverlayFilter', 'WebRtcEndpoint']);
  assert.deepEqual(await rig().feeds(), [1, 1], 'endpoint → filter → endpoint');
  assert.deepEqual(client.all('error'), []);
  client.send({ id: 'stop' });
  await rig().expectAppPipelines([]);
  await client.close();
});

test('garbage SDP: error, nothing left', async () => {
  const client = await rig().open<ServerMessage>();
  client.send({ id: 'start', sdpOffer: 'not SDP' });
  const { message } = await client.take('error');
  assert.match(message, /sdp/i);
  await rig().expectAppPipelines([]);
  rig().faults.length = 0;
  await client.close();
});

closedDuringStartTests(rig, start);

test('close() of the app releases the session and removes the hat it placed under the temporary folder', async () => {
  const hats = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('kurento-ts-magic-mirror-') && existsSync(join(tmpdir(), name, 'hat.png')));
  const client = await start();
  await client.take('startResponse');
  const placed = hats();
  assert.ok(placed.length >= 1, 'the hat is under the temporary folder while the app runs');
  await rig().app.close();
  await rig().expectAppPipelines([]);
  const left = hats();
  assert.ok(placed.some((name) => !left.includes(name)), `the app's hat is gone: before ${placed.join(', ')}, after ${left.join(', ')}`);
  await client.close();
  assert.deepEqual(rig().faults, []);
});
