/**
 * The `/groupcall` protocol over raw WebSockets, against the app started in-process on a free
 * port and pointed (`--ws-uri`) at a media server of the test's own. The pages' WebRTC side is
 * played by stand-in WebRtcEndpoints (see the kit's rig), one per video a page sends or receives.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { RawClient, startSignallingRig, type CandidateRoute, type SignallingRig, type StandIn } from '@kurento-ts/tutorial-kit/testing';
import type { ServerMessage } from '../src/messages.js';
import { groupCall } from '../src/tutorial.js';

type Client = RawClient<ServerMessage>;

let rig: SignallingRig;

before(async () => {
  rig = await startSignallingRig(groupCall);
});

// Every test closes its sockets: the app must then have forgotten them and released everything.
afterEach(async () => {
  await rig.settle();
});

after(async () => {
  await rig?.close();
});

/** The group call's candidate route for the endpoint that carries `name`'s video. */
const routeFor = (name: string): CandidateRoute => ({
  outgoing: (candidate) => ({ id: 'onIceCandidate', name, candidate }),
  incoming: (m) => {
    const message = m as ServerMessage;
    return message.id === 'iceCandidate' && message.name === name ? message.candidate : undefined;
  },
});

/** A page that joined `room` as `name`: its client, and the names it was told were there. */
async function joined(name: string, room = 'r'): Promise<{ client: Client; existing: string[] }> {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'joinRoom', name, room });
  const { data } = await client.take('existingParticipants');
  return { client, existing: data };
}

/** Sends receiveVideoFrom `sender` with a stand-in's offer; resolves once it is answered and connected. */
async function receive(client: Client, sender: string): Promise<StandIn> {
  const standIn = await rig.standIn(client, routeFor(sender));
  client.send({ id: 'receiveVideoFrom', sender, sdpOffer: await standIn.offer() });
  const { sdpAnswer } = await client.take('receiveVideoAnswer', (m) => m.name === sender);
  await standIn.answer(sdpAnswer);
  await standIn.connected();
  return standIn;
}

/** A participant in the full mesh: its own video sent, everyone else's received. */
async function meshed(name: string, room = 'r'): Promise<Client> {
  const { client, existing } = await joined(name, room);
  await Promise.all([name, ...existing].map((sender) => receive(client, sender)));
  return client;
}

test('malformed messages, and messages before joining, are answered with error; the socket stays usable', async () => {
  const client = await rig.open<ServerMessage>();
  const sent = [
    '{"id": "joinRoom", name',
    'null',
    { id: 'joinRoom', name: 'alice' },
    { id: 'joinRoom', name: 'x'.repeat(65), room: 'r' },
    { id: 'receiveVideoFrom', sender: 'bob' },
    { id: 'onIceCandidate', candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } },
    { id: 'receiveVideoFrom', sender: 'bob', sdpOffer: 'v=0' },
    { id: 'onIceCandidate', name: 'bob', candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } },
    { id: 'call', to: 'bob' },
  ];
  assert.deepEqual(await client.refusals(sent), [
    'Malformed message: not JSON',
    'Malformed message: expected an object with a string "id"',
    'joinRoom: "room" must be a non-empty string',
    'joinRoom: "name" must be at most 64 characters',
    'receiveVideoFrom: "sdpOffer" must be a non-empty string',
    'onIceCandidate: "name" must be a non-empty string',
    'receiveVideoFrom: join a room first',
    'onIceCandidate: join a room first',
    'Invalid message id "call"',
  ]);
  client.send({ id: 'joinRoom', name: 'alice', room: 'r' });
  assert.deepEqual(await client.take('existingParticipants'), { id: 'existingParticipants', data: [] });
  client.send({ id: 'leaveRoom' });
  await rig.expectAppPipelines([]);
  await client.close();
  assert.deepEqual(rig.faults, []);
});

test('joining: who is there, who arrives; a name taken in the room, a second join on one socket; the same name in another room', async () => {
  const alice = await joined('alice');
  assert.deepEqual(alice.existing, []);
  const bob = await joined('bob');
  assert.deepEqual(bob.existing, ['alice']);
  assert.deepEqual(await alice.client.take('newParticipantArrived'), { id: 'newParticipantArrived', name: 'bob' });
  const impostor = await rig.open<ServerMessage>();
  impostor.send({ id: 'joinRoom', name: 'alice', room: 'r' });
  assert.deepEqual(await impostor.take('error'), { id: 'error', message: 'The name alice is already taken in room r' });
  alice.client.send({ id: 'joinRoom', name: 'alicia', room: 'other' });
  assert.deepEqual(await alice.client.take('error'), { id: 'error', message: 'You are already in room r: leave it first' });
  impostor.send({ id: 'joinRoom', name: 'alice', room: 'elsewhere' });
  assert.deepEqual(await impostor.take('existingParticipants'), { id: 'existingParticipants', data: [] });
  // One pipeline per room, with each participant's outgoing endpoint.
  await rig.expectAppPipelines([2, 1]);
  assert.equal(alice.client.all('newParticipantArrived').length, 1, 'no one else arrived in room r');
  bob.client.send({ id: 'receiveVideoFrom', sender: 'zed', sdpOffer: 'v=0' });
  assert.deepEqual(await bob.client.take('error'), { id: 'error', message: 'There is no participant zed in room r' });
  bob.client.send({ id: 'onIceCandidate', name: 'zed', candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } });
  assert.deepEqual(await bob.client.take('error'), { id: 'error', message: 'onIceCandidate: there is no participant zed in room r' });
  for (const c of [alice.client, bob.client, impostor]) await c.close();
  assert.deepEqual(rig.faults, []);
});

test('three in a room, a fourth late; one leaves, one closes its socket: the others are told, endpoints released, the room with the last', async () => {
  const [alice, bob, carol] = [await meshed('alice'), await meshed('bob'), await meshed('carol')];
  // Those already there are told of each arrival and receive it, as their pages would.
  for (const [client, newcomers] of [[alice, ['bob', 'carol']], [bob, ['carol']]] as const) {
    for (const name of newcomers) {
      await client.take('newParticipantArrived', (m) => m.name === name);
      await receive(client, name);
    }
  }
  // Each sends one endpoint and receives one per other participant: 3 + 3 × 2.
  await rig.expectAppPipelines([9]);
  assert.deepEqual(await rig.feeds(), [2, 2, 2], 'each outgoing endpoint feeds the two others');
  for (const c of [alice, bob, carol]) {
    assert.deepEqual(Object.keys(c.all('iceCandidate')[0] ?? {}).sort(), ['candidate', 'id', 'name']);
  }
  // The late one: everyone there is told, and receives it once asked.
  const dave = await meshed('dave');
  assert.deepEqual(dave.all('existingParticipants'), [{ id: 'existingParticipants', data: ['alice', 'bob', 'carol'] }]);
  await Promise.all([alice, bob, carol].map(async (c) => {
    await c.take('newParticipantArrived', (m) => m.name === 'dave');
    await receive(c, 'dave');
  }));
  await rig.expectAppPipelines([16]);
  assert.deepEqual(await rig.feeds(), [3, 3, 3, 3]);

  bob.send({ id: 'leaveRoom' });
  for (const c of [alice, carol, dave]) assert.deepEqual(await c.take('participantLeft'), { id: 'participantLeft', name: 'bob' });
  await rig.expectAppPipelines([9]); // bob's outgoing and incomings, and the others' incoming from bob
  assert.deepEqual(await rig.feeds(), [2, 2, 2]);
  carol.ws.terminate();
  for (const c of [alice, dave]) assert.deepEqual(await c.take('participantLeft'), { id: 'participantLeft', name: 'carol' });
  await rig.expectAppPipelines([4]);
  assert.deepEqual(bob.all('participantLeft'), [], 'the one who left is told nothing more');
  dave.send({ id: 'leaveRoom' });
  await rig.expectAppPipelines([1]);
  alice.send({ id: 'leaveRoom' });
  await rig.expectAppPipelines([]);
  // Bob, out of the room, may join again (a new pipeline).
  bob.send({ id: 'joinRoom', name: 'bob', room: 'r' });
  assert.deepEqual(await bob.take('existingParticipants'), { id: 'existingParticipants', data: [] });
  for (const c of [alice, bob, dave]) await c.close();
  assert.deepEqual(rig.faults, []);
});

for (const delayMs of [0, 10, 40, 120]) {
  test(`sockets that close ${delayMs} ms into a join, or into receiving, leave nothing behind`, async () => {
    const early = await rig.open<ServerMessage>();
    early.send({ id: 'joinRoom', name: 'early', room: 'r' });
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    early.ws.terminate();
    await rig.expectAppPipelines([]);

    const alice = await meshed('alice');
    const bob = await joined('bob');
    const standIn = await rig.standIn(bob.client, routeFor('alice'));
    bob.client.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: await standIn.offer() });
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    bob.client.ws.terminate();
    await alice.take('participantLeft', (m) => m.name === 'bob');
    await rig.expectAppPipelines([1]);
    await alice.close();
  });
}

test('a sender who leaves while its video is being received: the incoming endpoint is not left behind', async () => {
  const alice = await meshed('alice');
  const bob = await joined('bob');
  const standIn = await rig.standIn(bob.client, routeFor('alice'));
  bob.client.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: await standIn.offer() });
  alice.send({ id: 'leaveRoom' });
  assert.deepEqual(await bob.client.take('participantLeft'), { id: 'participantLeft', name: 'alice' });
  await rig.expectAppPipelines([1]); // bob's outgoing endpoint only
  assert.deepEqual(bob.client.all('error'), [], 'no error for a video whose sender left');
  await Promise.all([alice.close(), bob.client.close()]);
});

test('an offer the media server refuses: error naming whose video, nothing left for it; the page may try again', async () => {
  const alice = await meshed('alice');
  const bob = await joined('bob');
  bob.client.send({ id: 'receiveVideoFrom', sender: 'alice', sdpOffer: 'this is not SDP' });
  const { message } = await bob.client.take('error');
  assert.match(message, /^Could not receive alice's video: .*sdp/i);
  await rig.expectAppPipelines([2]); // the two outgoing endpoints: no incoming one is left for the refused offer
  await receive(bob.client, 'alice');
  await rig.expectAppPipelines([3]);
  assert.equal(rig.faults.length, 1, 'the failure reached the log');
  rig.faults.length = 0;
  await Promise.all([alice.close(), bob.client.close()]);
});

test('close() of the app releases every room', async () => {
  await meshed('alice');
  await meshed('bob');
  await meshed('carol', 'other');
  await rig.expectAppPipelines([3, 1]); // alice's outgoing, bob's with his incoming from alice; carol's
  await rig.app.close();
  await rig.expectAppPipelines([]);
  assert.deepEqual(rig.faults, []);
});
