/**
 * The `/one2one` protocol over raw WebSockets, against the app started in-process on a free port
 * and pointed (`--ws-uri`) at a media server of the test's own. The pages' WebRTC side is played
 * by stand-in WebRtcEndpoints (see the kit's rig), so calls really connect, without Chromium.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { RawClient, StandIn, startSignallingRig, type SignallingRig } from '@kurento-ts/tutorial-kit/testing';
import type { ServerMessage } from '../src/messages.js';
import { one2oneCall } from '../src/tutorial.js';

type Client = RawClient<ServerMessage>;

let rig: SignallingRig;

before(async () => {
  rig = await startSignallingRig(one2oneCall);
});

// Every test closes its sockets: the app must then forget them all (names freed, media released).
afterEach(async () => {
  await rig.settle();
});

after(async () => {
  await rig?.close();
});

/** A socket registered as `name`. */
async function registered(name: string): Promise<Client> {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'register', name });
  assert.deepEqual(await client.take('registerResponse'), { id: 'registerResponse', response: 'accepted' });
  return client;
}

/** alice calls bob, bob accepts: both answered, both stand-ins connected. */
async function connectedCall(alice: Client, bob: Client): Promise<[StandIn, StandIn]> {
  const [a, b] = [await rig.standIn(alice), await rig.standIn(bob)];
  alice.send({ id: 'call', from: 'alice', to: 'bob', sdpOffer: await a.offer() });
  assert.deepEqual(await bob.take('incomingCall'), { id: 'incomingCall', from: 'alice' });
  bob.send({ id: 'incomingCallResponse', from: 'alice', callResponse: 'accept', sdpOffer: await b.offer() });
  const start = await bob.take('startCommunication');
  const response = await alice.take('callResponse');
  assert.ok(response.response === 'accepted', JSON.stringify(response));
  await Promise.all([a.answer(response.sdpAnswer), b.answer(start.sdpAnswer)]);
  await Promise.all([a.connected(), b.connected()]);
  return [a, b];
}

test('malformed messages are answered with error, and the socket stays usable', async () => {
  const client = await rig.open<ServerMessage>();
  const sent = [
    '{"id": "register", name',
    '[1, 2]',
    { id: 'register' },
    { id: 'register', name: 'x'.repeat(65) },
    { id: 'call', to: 'bob' },
    { id: 'incomingCallResponse', from: 'bob', callResponse: 'maybe' },
    { id: 'incomingCallResponse', from: 'bob', callResponse: 'accept' },
    { id: 'onIceCandidate', candidate: { candidate: 42 } },
    { id: 'presenter', sdpOffer: 'v=0' },
  ];
  assert.deepEqual(await client.refusals(sent), [
    'Malformed message: not JSON',
    'Malformed message: expected an object with a string "id"',
    'register: "name" must be a non-empty string',
    'register: "name" must be at most 64 characters',
    'call: "sdpOffer" must be a non-empty string',
    'incomingCallResponse: "callResponse" must be "accept" or "reject"',
    'incomingCallResponse: "sdpOffer" must be a non-empty string',
    'onIceCandidate: "candidate" must have candidate, sdpMid and sdpMLineIndex',
    'Invalid message id "presenter"',
  ]);
  client.send({ id: 'register', name: 'still-usable' });
  assert.deepEqual(await client.take('registerResponse'), { id: 'registerResponse', response: 'accepted' });
  await client.close();
  assert.deepEqual(rig.faults, [], 'bad messages are the page\'s fault, not the app\'s');
});

test('register: a name taken, twice on one socket; the name is free again once its socket closes', async () => {
  const alice = await registered('alice');
  const impostor = await rig.open<ServerMessage>();
  impostor.send({ id: 'register', name: 'alice' });
  assert.deepEqual(await impostor.take('registerResponse'), { id: 'registerResponse', response: 'rejected', message: 'User alice is already registered' });
  alice.send({ id: 'register', name: 'alicia' });
  assert.deepEqual(await alice.take('registerResponse'), { id: 'registerResponse', response: 'rejected', message: 'You are already registered as alice' });
  await alice.close();
  await waitFor('alice free again', async () => {
    impostor.send({ id: 'register', name: 'alice' });
    const answer = await impostor.take('registerResponse');
    return answer.response === 'accepted';
  });
  await impostor.close();
});

test('calls that cannot be made: not registered, unknown user, oneself, a busy user', async () => {
  const stranger = await rig.open<ServerMessage>();
  stranger.send({ id: 'call', from: 'stranger', to: 'bob', sdpOffer: 'v=0' });
  assert.deepEqual(await stranger.take('callResponse'), { id: 'callResponse', response: 'rejected', message: 'Register a name before calling' });
  const alice = await registered('alice');
  alice.send({ id: 'call', from: 'alice', to: 'nobody', sdpOffer: 'v=0' });
  assert.deepEqual(await alice.take('callResponse'), { id: 'callResponse', response: 'rejected', message: 'User nobody is not registered' });
  alice.send({ id: 'call', from: 'alice', to: 'alice', sdpOffer: 'v=0' });
  assert.deepEqual(await alice.take('callResponse'), { id: 'callResponse', response: 'rejected', message: 'You cannot call yourself' });

  const bob = await registered('bob');
  const carol = await registered('carol');
  alice.send({ id: 'call', from: 'alice', to: 'bob', sdpOffer: 'v=0' });
  await bob.take('incomingCall');
  carol.send({ id: 'call', from: 'carol', to: 'bob', sdpOffer: 'v=0' });
  assert.deepEqual(await carol.take('callResponse'), { id: 'callResponse', response: 'rejected', message: 'User bob is busy' });
  carol.send({ id: 'call', from: 'carol', to: 'alice', sdpOffer: 'v=0' });
  assert.deepEqual(await carol.take('callResponse'), { id: 'callResponse', response: 'rejected', message: 'User alice is busy' });
  alice.send({ id: 'call', from: 'alice', to: 'carol', sdpOffer: 'v=0' });
  assert.deepEqual(await alice.take('callResponse'), { id: 'callResponse', response: 'rejected', message: 'You are already in a call: stop it first' });
  assert.equal(bob.all('incomingCall').length, 1, 'bob was rung once');
  assert.equal(carol.all('incomingCall').length, 0, 'carol was not rung');
  for (const c of [stranger, alice, bob, carol]) await c.close();
  await rig.expectAppPipelines([]);
});

test('a callee who rejects: the caller hears "user declined" (or the callee\'s reason), nothing is created', async () => {
  const [alice, bob] = [await registered('alice'), await registered('bob')];
  alice.send({ id: 'call', from: 'alice', to: 'bob', sdpOffer: 'v=0' });
  await bob.take('incomingCall');
  bob.send({ id: 'incomingCallResponse', from: 'alice', callResponse: 'reject' });
  assert.deepEqual(await alice.take('callResponse'), { id: 'callResponse', response: 'rejected', message: 'user declined' });
  alice.send({ id: 'call', from: 'alice', to: 'bob', sdpOffer: 'v=0' });
  bob.send({ id: 'incomingCallResponse', from: 'alice', callResponse: 'reject', message: 'busy' });
  assert.deepEqual(await alice.take('callResponse'), { id: 'callResponse', response: 'rejected', message: 'busy' });
  // Answering a call that is over (or from someone else) is an error, not a call.
  bob.send({ id: 'incomingCallResponse', from: 'alice', callResponse: 'accept', sdpOffer: 'v=0' });
  assert.deepEqual(await bob.take('error'), { id: 'error', message: 'There is no call from alice waiting for your answer' });
  await rig.expectAppPipelines([]);
  await Promise.all([alice.close(), bob.close()]);
});

test('a caller who hangs up while it rings: the callee is told', async () => {
  const [alice, bob] = [await registered('alice'), await registered('bob')];
  alice.send({ id: 'call', from: 'alice', to: 'bob', sdpOffer: 'v=0' });
  await bob.take('incomingCall');
  alice.send({ id: 'stop' });
  assert.deepEqual(await bob.take('stopCommunication'), { id: 'stopCommunication', message: 'alice hung up' });
  await Promise.all([alice.close(), bob.close()]);
});

test('a call: both answered, candidates both ways, media connected, one pipeline with two endpoints; stop from the callee tells the caller and releases it', async () => {
  const [alice, bob] = [await registered('alice'), await registered('bob')];
  await connectedCall(alice, bob);
  const [shape] = await rig.expectAppPipelines([2]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint', 'WebRtcEndpoint']);
  assert.ok(alice.all('iceCandidate').length > 0 && bob.all('iceCandidate').length > 0, 'the server\'s candidates reached both');
  for (const m of [...alice.all('iceCandidate'), ...bob.all('iceCandidate')]) assert.deepEqual(Object.keys(m.candidate).sort(), ['candidate', 'sdpMLineIndex', 'sdpMid']);

  bob.send({ id: 'stop' });
  assert.deepEqual(await alice.take('stopCommunication'), { id: 'stopCommunication', message: 'bob hung up' });
  await rig.expectAppPipelines([]);
  assert.deepEqual(bob.all('stopCommunication'), [], 'the one who stopped is not told');
  // Both are free for another call, this time stopped by the caller.
  await connectedCall(alice, bob);
  alice.send({ id: 'stop' });
  assert.deepEqual(await bob.take('stopCommunication'), { id: 'stopCommunication', message: 'alice hung up' });
  await rig.expectAppPipelines([]);
  await Promise.all([alice.close(), bob.close()]);
  assert.deepEqual(rig.faults, []);
});

test('a socket that closes mid-call: the other side is told, the pipeline released, the name freed', async () => {
  const [alice, bob] = [await registered('alice'), await registered('bob')];
  await connectedCall(alice, bob);
  alice.ws.terminate();
  assert.deepEqual(await bob.take('stopCommunication'), { id: 'stopCommunication', message: 'alice left' });
  await rig.expectAppPipelines([]);
  const newAlice = await registered('alice');
  await Promise.all([newAlice.close(), bob.close()]);
});

for (const delayMs of [0, 10, 40, 120]) {
  test(`the caller's socket closes ${delayMs} ms after the callee accepts: the callee is told, no pipeline is left`, async () => {
    const [alice, bob] = [await registered('alice'), await registered('bob')];
    const [a, b] = [await rig.standIn(alice), await rig.standIn(bob)];
    alice.send({ id: 'call', from: 'alice', to: 'bob', sdpOffer: await a.offer() });
    await bob.take('incomingCall');
    bob.send({ id: 'incomingCallResponse', from: 'alice', callResponse: 'accept', sdpOffer: await b.offer() });
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    alice.ws.terminate();
    assert.deepEqual(await bob.take('stopCommunication'), { id: 'stopCommunication', message: 'alice left' });
    await rig.expectAppPipelines([]);
    await bob.close();
  });
}

test('a callee whose offer the media server refuses: both are told why, no pipeline is left', async () => {
  const [alice, bob] = [await registered('alice'), await registered('bob')];
  const a = await rig.standIn(alice);
  alice.send({ id: 'call', from: 'alice', to: 'bob', sdpOffer: await a.offer() });
  await bob.take('incomingCall');
  bob.send({ id: 'incomingCallResponse', from: 'alice', callResponse: 'accept', sdpOffer: 'this is not SDP' });
  const response = await alice.take('callResponse');
  assert.equal(response.response, 'rejected');
  assert.ok(response.response === 'rejected' && /^The call could not be set up: .*sdp/i.test(response.message), JSON.stringify(response));
  const stopped = await bob.take('stopCommunication');
  assert.equal(stopped.message, response.response === 'rejected' ? response.message : '');
  await rig.expectAppPipelines([]);
  assert.equal(rig.faults.length, 1, 'the failure reached the log');
  rig.faults.length = 0;
  await Promise.all([alice.close(), bob.close()]);
});

test('close() of the app releases the calls still running', async () => {
  const [alice, bob] = [await registered('alice'), await registered('bob')];
  await connectedCall(alice, bob);
  await rig.expectAppPipelines([2]);
  await rig.app.close();
  await rig.expectAppPipelines([]);
  assert.deepEqual(rig.faults, []);
});
