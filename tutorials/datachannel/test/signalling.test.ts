/**
 * The `/datachannel` protocol over raw WebSockets, against the app started in-process on a free
 * port and pointed (`--ws-uri`) at a media server of the test's own (the kit's rig, which also
 * fails on a UDP socket left open), with a stand-in WebRtcEndpoint playing the page. (The text
 * itself is the browser test's: it goes over the data channel, not this socket.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closedDuringStartTests, RawClient, useSignallingRig } from '@kurento-ts/tutorial-kit/testing';
import type { ServerMessage } from '../src/messages.js';
import { datachannel } from '../src/tutorial.js';

const rig = useSignallingRig(datachannel);

/** A page that sends a stand-in's offer as `start`. */
async function start(): Promise<RawClient<ServerMessage>> {
  return (await rig().offer<ServerMessage>((sdpOffer) => ({ id: 'start', sdpOffer }))).client;
}

test('malformed messages are answered with error', async () => {
  const client = await rig().open<ServerMessage>();
  assert.deepEqual(await client.refusals(['', { id: 'start', sdpOffer: 7 }, { id: 'send', text: 'hi' }]), [
    'Malformed message: not JSON',
    'start: "sdpOffer" must be a non-empty string',
    'Invalid message id "send"',
  ]);
  await client.close();
  assert.deepEqual(rig().faults, []);
});

test('start: one WebRtcEndpoint connected to itself; stop releases it', async () => {
  const client = await start();
  await client.take('startResponse');
  const [shape] = await rig().expectAppPipelines([1]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint']);
  assert.deepEqual(await rig().feeds(), [1], 'the endpoint feeds itself');
  client.send({ id: 'stop' });
  await rig().expectAppPipelines([]);
  await client.close();
});

closedDuringStartTests(rig, start);
