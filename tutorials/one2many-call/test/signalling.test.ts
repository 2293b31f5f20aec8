/**
 * The `/one2many` protocol over raw WebSockets, against the app started in-process on a free
 * port and pointed (`--ws-uri`) at a media server of the test's own. The pages' WebRTC side is
 * played by stand-in WebRtcEndpoints (see the kit's rig), so presenter and viewers really connect.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { RawClient, StandIn, startSignallingRig, type SignallingRig } from '@kurento-ts/tutorial-kit/testing';
import { NO_PRESENTER, PRESENTER_TAKEN, type ServerMessage } from '../src/messages.js';
import { one2manyCall } from '../src/tutorial.js';

type Client = RawClient<ServerMessage>;

let rig: SignallingRig;

before(async () => {
  rig = await startSignallingRig(one2manyCall);
});

// Every test closes its sockets: the app must then have forgotten them and released everything.
afterEach(async () => {
  await rig.settle();
});

after(async () => {
  await rig?.close();
});

/** A page that presents or views with a stand-in. */
async function join(role: 'presenter' | 'viewer'): Promise<{ client: Client; standIn: StandIn }> {
  const client = await rig.open<ServerMessage>();
  const standIn = await rig.standIn(client);
  client.send({ id: role, sdpOffer: await standIn.offer() });
  return { client, standIn };
}

/** An offer from a new stand-in for `client` (a stand-in negotiates once). */
async function newOffer(client: Client): Promise<string> {
  return (await rig.standIn(client)).offer();
}

/** join() and the answer applied, media connected. */
async function joined(role: 'presenter' | 'viewer'): Promise<{ client: Client; standIn: StandIn }> {
  const page = await join(role);
  const response = await page.client.take(`${role}Response`);
  assert.ok(response.response === 'accepted', JSON.stringify(response));
  await page.standIn.answer(response.sdpAnswer);
  await page.standIn.connected();
  return page;
}

test('malformed messages are answered with error, and the socket stays usable', async () => {
  const client = await rig.open<ServerMessage>();
  const sent = ['{"id": "viewer", sdpOffer', '{"id": 7}', { id: 'presenter' }, { id: 'viewer', sdpOffer: '' }, { id: 'onIceCandidate' }, { id: 'register', name: 'x' }];
  assert.deepEqual(await client.refusals(sent), [
    'Malformed message: not JSON',
    'Malformed message: expected an object with a string "id"',
    'presenter: "sdpOffer" must be a non-empty string',
    'viewer: "sdpOffer" must be a non-empty string',
    'onIceCandidate: "candidate" must have candidate, sdpMid and sdpMLineIndex',
    'Invalid message id "register"',
  ]);
  client.send({ id: 'viewer', sdpOffer: 'v=0' });
  assert.deepEqual(await client.take('viewerResponse'), { id: 'viewerResponse', response: 'rejected', message: NO_PRESENTER });
  await client.close();
  assert.deepEqual(rig.faults, []);
});

test('a viewer before any presenter: Kurento\'s "No active presenter", nothing created', async () => {
  const client = await rig.open<ServerMessage>();
  client.send({ id: 'viewer', sdpOffer: 'v=0' });
  assert.deepEqual(await client.take('viewerResponse'), { id: 'viewerResponse', response: 'rejected', message: NO_PRESENTER });
  client.send({ id: 'stop' }); // nothing to stop: harmless
  await rig.expectAppPipelines([]);
  await client.close();
});

test('a presenter and three viewers connect; a second presenter is refused; viewers stop or leave; the presenter stops and the rest are told', async () => {
  const presenter = await joined('presenter');
  assert.ok(presenter.client.all('iceCandidate').length > 0, 'the presenter got the server\'s candidates');
  const second = await join('presenter');
  assert.deepEqual(await second.client.take('presenterResponse'), { id: 'presenterResponse', response: 'rejected', message: PRESENTER_TAKEN });
  presenter.client.send({ id: 'presenter', sdpOffer: 'v=0' });
  assert.deepEqual(await presenter.client.take('presenterResponse'), { id: 'presenterResponse', response: 'rejected', message: 'You are already presenting: stop first' });
  presenter.client.send({ id: 'viewer', sdpOffer: 'v=0' });
  assert.deepEqual(await presenter.client.take('viewerResponse'), { id: 'viewerResponse', response: 'rejected', message: 'You are the presenter: stop presenting first' });

  const viewers = await Promise.all([joined('viewer'), joined('viewer'), joined('viewer')]);
  const [shape] = await rig.expectAppPipelines([4]);
  assert.deepEqual(shape?.elements, ['WebRtcEndpoint', 'WebRtcEndpoint', 'WebRtcEndpoint', 'WebRtcEndpoint']);
  // The presenter's endpoint feeds each viewer's (media itself is the browser test's: stand-ins send none).
  assert.deepEqual(await rig.feeds(), [3], 'one endpoint feeding the three others');

  const [stopper, leaver, stayer] = viewers;
  assert.ok(stopper && leaver && stayer);
  stopper.client.send({ id: 'stop' });
  await rig.expectAppPipelines([3]);
  leaver.client.ws.terminate();
  await rig.expectAppPipelines([2]);
  presenter.client.send({ id: 'stop' });
  assert.deepEqual(await stayer.client.take('stopCommunication'), { id: 'stopCommunication', message: 'The presenter stopped' });
  assert.deepEqual(stopper.client.all('stopCommunication'), [], 'a viewer who stopped is not told');
  await rig.expectAppPipelines([]);
  // The stage is free again: the refused presenter may present now.
  second.client.send({ id: 'presenter', sdpOffer: await newOffer(second.client) });
  assert.equal((await second.client.take('presenterResponse')).response, 'accepted');
  await rig.expectAppPipelines([1]);
  for (const c of [presenter.client, second.client, stopper.client, stayer.client]) await c.close();
  assert.deepEqual(rig.faults, []);
});

test('the presenter\'s socket closes: every viewer is told, the pipeline released', async () => {
  const presenter = await joined('presenter');
  const viewers = await Promise.all([joined('viewer'), joined('viewer')]);
  await rig.expectAppPipelines([3]);
  presenter.client.ws.terminate();
  for (const v of viewers) assert.deepEqual(await v.client.take('stopCommunication'), { id: 'stopCommunication', message: 'The presenter left' });
  await rig.expectAppPipelines([]);
  for (const v of viewers) await v.client.close();
});

test('a viewer who asks while the presenter is still starting is answered once it is live; a viewer\'s second offer replaces its first', async () => {
  const presenter = await join('presenter');
  const viewer = await join('viewer'); // sent right behind the presenter's offer
  const [presented, viewed] = await Promise.all([presenter.client.take('presenterResponse'), viewer.client.take('viewerResponse')]);
  assert.equal(presented.response, 'accepted');
  assert.equal(viewed.response, 'accepted');
  await rig.expectAppPipelines([2]);
  viewer.client.send({ id: 'viewer', sdpOffer: await newOffer(viewer.client) });
  assert.equal((await viewer.client.take('viewerResponse')).response, 'accepted');
  await rig.expectAppPipelines([2]);
  await Promise.all([presenter.client.close(), viewer.client.close()]);
});

test('a presenter whose offer the media server refuses: told why; a viewer waiting for it is refused; nothing is left', async () => {
  const presenter = await rig.open<ServerMessage>();
  presenter.send({ id: 'presenter', sdpOffer: 'this is not SDP' });
  const viewer = await rig.open<ServerMessage>();
  viewer.send({ id: 'viewer', sdpOffer: 'v=0' });
  const response = await presenter.take('presenterResponse');
  assert.ok(response.response === 'rejected' && /^Could not start presenting: .*sdp/i.test(response.message), JSON.stringify(response));
  const refused = await viewer.take('viewerResponse');
  assert.ok(refused.response === 'rejected' && (refused.message === 'The presenter could not start' || refused.message === NO_PRESENTER), JSON.stringify(refused));
  await rig.expectAppPipelines([]);
  assert.equal(rig.faults.length, 1, 'the failure reached the log');
  rig.faults.length = 0;
  await Promise.all([presenter.close(), viewer.close()]);
});

for (const delayMs of [0, 10, 40, 120]) {
  test(`sockets that close ${delayMs} ms into a start leave nothing behind (presenter, then viewer)`, async () => {
    const presenter = await join('presenter');
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    presenter.client.ws.terminate();
    await rig.expectAppPipelines([]);

    const live = await joined('presenter');
    const viewer = await join('viewer');
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    viewer.client.ws.terminate();
    await rig.expectAppPipelines([1]);
    await live.client.close();
  });
}

test('close() of the app releases the presentation with its viewers', async () => {
  const presenter = await joined('presenter');
  const viewer = await joined('viewer');
  await rig.expectAppPipelines([2]);
  await rig.app.close();
  await rig.expectAppPipelines([]);
  assert.equal(presenter.client.ws.readyState === presenter.client.ws.CLOSED || presenter.client.ws.readyState === presenter.client.ws.CLOSING, true);
  await viewer.client.close();
  assert.deepEqual(rig.faults, []);
});
