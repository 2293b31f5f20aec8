/**
 * The JSON-RPC layer against scripted fake servers: the exact frames, session ids, timeouts,
 * keep-alive pings, connection failures, and a close() that leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { ConnectionError, KurentoClient, RequestTimeoutError, type WebRtcEndpoint } from '../src/index.js';
import { FakeServer, assertNoLeaks, handles, pingOnly, rejectsWith, sleep, waitFor, type FakeHandler } from './helpers.js';

const PIPELINE = 'p1_kurento.MediaPipeline';
const ENDPOINT = `${PIPELINE}/e1_kurento.WebRtcEndpoint`;

/** Just enough Kurento for the wire tests: one session, one pipeline, one endpoint. */
const miniKurento: FakeHandler = (frame) => {
  switch (frame.method) {
    case 'ping':
      return { result: { value: 'pong' } };
    case 'create':
      return { result: { value: frame.params['type'] === 'MediaPipeline' ? PIPELINE : ENDPOINT, sessionId: 's1' } };
    case 'invoke':
      if (frame.params['operation'] === 'generateOffer') return { result: { value: 'v=0 (offer)', sessionId: 's1' } };
      if (frame.params['operation'] === 'getSinkConnections') {
        return { result: { value: [{ __module__: 'kurento', __type__: 'ElementConnectionData', source: ENDPOINT, sink: ENDPOINT, type: 'VIDEO', sourceDescription: 'default', sinkDescription: 'default' }], sessionId: 's1' } };
      }
      return { result: { sessionId: 's1' } };
    case 'describe':
      return { error: { code: 40101, message: 'not found' } };
    default:
      return { result: { sessionId: 's1' } };
  }
};

test('frames: ping first, no sessionId until the server gives one, then in every request; complex args tagged', async () => {
  const fake = await FakeServer.start(miniKurento);
  const kurento = await KurentoClient.connect(fake.url, { accessToken: 'secret token', pingIntervalMs: 0 });
  try {
    assert.equal(fake.connections[0], '/kurento?access_token=secret+token');
    assert.equal(kurento.sessionId, undefined);
    const pipeline = await kurento.createMediaPipeline();
    assert.equal(kurento.sessionId, 's1');
    const ep: WebRtcEndpoint = await pipeline.create('WebRtcEndpoint', { recvonly: true }, { stunServerPort: 3479 });
    assert.equal(ep.id, ENDPOINT);
    assert.equal(await ep.generateOffer({ offerToReceiveAudio: false }), 'v=0 (offer)');
    await ep.addIceCandidate({ candidate: 'candidate:1 1 UDP 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 });
    await ep.gatherCandidates();
    await ep.connect(ep, 'VIDEO');
    const [connection] = await ep.getSinkConnections();
    assert.deepEqual({ ...connection, source: connection?.source.id, sink: connection?.sink.id }, { source: ENDPOINT, sink: ENDPOINT, type: 'VIDEO', sourceDescription: 'default', sinkDescription: 'default' });
    assert.equal(connection?.sink, ep, 'known ids come back as the same proxy');

    const frames = fake.frames.map(({ method, params }) => ({ method, params }));
    assert.deepEqual(frames, [
      { method: 'ping', params: { interval: 0 } },
      { method: 'create', params: { type: 'MediaPipeline', constructorParams: {}, properties: {} } },
      { method: 'create', params: { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: PIPELINE, recvonly: true }, properties: { stunServerPort: 3479 }, sessionId: 's1' } },
      { method: 'invoke', params: { object: ENDPOINT, operation: 'generateOffer', operationParams: { options: { __module__: 'kurento', __type__: 'OfferOptions', offerToReceiveAudio: false } }, sessionId: 's1' } },
      {
        method: 'invoke',
        params: {
          object: ENDPOINT,
          operation: 'addIceCandidate',
          operationParams: { candidate: { __module__: 'kurento', __type__: 'IceCandidate', candidate: 'candidate:1 1 UDP 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
          sessionId: 's1',
        },
      },
      { method: 'invoke', params: { object: ENDPOINT, operation: 'gatherCandidates', sessionId: 's1' } },
      { method: 'invoke', params: { object: ENDPOINT, operation: 'connect', operationParams: { sink: ENDPOINT, mediaType: 'VIDEO' }, sessionId: 's1' } },
      { method: 'invoke', params: { object: ENDPOINT, operation: 'getSinkConnections', sessionId: 's1' } },
    ]);
    const ids = fake.frames.map((f) => f.id);
    assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
  } finally {
    await kurento.close();
    await fake.close();
  }
});

test('a request without an answer rejects with RequestTimeoutError; a late answer is ignored', async () => {
  const fake = await FakeServer.start((frame) => {
    if (frame.method === 'ping') return { result: { value: 'pong' } };
    // The first create is answered too late, the second in time.
    return { result: { value: `p${frame.id}_kurento.MediaPipeline`, sessionId: 's1' }, delayMs: fake.calls('create').length === 1 ? 300 : 0 };
  });
  const kurento = await KurentoClient.connect(fake.url, { requestTimeoutMs: 150, pingIntervalMs: 0 });
  try {
    const started = Date.now();
    const error = await rejectsWith(kurento.create('MediaPipeline'), 0, 'REQUEST_TIMEOUT');
    assert.ok(error instanceof RequestTimeoutError);
    assert.equal(error.method, 'create');
    assert.equal(error.timeoutMs, 150);
    assert.ok(Date.now() - started >= 140);
    const second = await kurento.create('MediaPipeline');
    await sleep(200); // the late answer to the first arrives now, and must change nothing
    assert.equal(second.id, `p${fake.calls('create')[1]?.id}_kurento.MediaPipeline`);
    assert.equal(kurento.state, 'open');
  } finally {
    await kurento.close();
    await fake.close();
  }
});

test('connect() fails with a timeout against a server that never answers, and leaves nothing behind', async () => {
  const before = handles();
  const fake = await FakeServer.start(() => undefined);
  const error = await rejectsWith(KurentoClient.connect(fake.url, { requestTimeoutMs: 100 }), 0, 'REQUEST_TIMEOUT');
  assert.ok(error instanceof RequestTimeoutError);
  assert.equal(error.method, 'ping');
  await fake.close();
  await assertNoLeaks(before);
});

test('connect() fails with CONNECTION_FAILED when nothing listens', async () => {
  const before = handles();
  // A port that was free a moment ago.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const error = await rejectsWith(KurentoClient.connect(`ws://127.0.0.1:${port}/kurento`), 0, 'CONNECTION_FAILED');
  assert.ok(error instanceof ConnectionError);
  await assertNoLeaks(before);
});

test('invalid options are refused', async () => {
  await assert.rejects(KurentoClient.connect('ws://127.0.0.1:1/kurento', { requestTimeoutMs: -1 }), RangeError);
  await assert.rejects(KurentoClient.connect('ws://127.0.0.1:1/kurento', { pingIntervalMs: Number.NaN }), RangeError);
});

test('keep-alive: ping with {interval} every interval; an unanswered ping drops the socket and reconnects', async () => {
  const fake = await FakeServer.start(pingOnly);
  const kurento = await KurentoClient.connect(fake.url, { pingIntervalMs: 40, reconnect: { initialDelayMs: 10 } });
  const events: string[] = [];
  kurento.on('disconnected', () => events.push('disconnected'));
  kurento.on('connected', () => events.push('connected'));
  kurento.on('reconnected', () => events.push('reconnected'));
  try {
    await waitFor('4 pings', () => fake.calls('ping').length >= 4);
    for (const ping of fake.calls('ping')) assert.deepEqual(ping.params, { interval: 40 });
    // The server goes quiet: the next unanswered ping kills the socket, and the client comes back.
    fake.handler = (frame, connection) => (connection === 0 ? undefined : pingOnly(frame, connection));
    await waitFor('a second connection', () => fake.connections.length === 2);
    await waitFor('reconnected', () => events.includes('reconnected'));
    assert.deepEqual(events, ['disconnected', 'connected', 'reconnected']);
    assert.equal(kurento.state, 'open');
  } finally {
    await kurento.close();
    await fake.close();
  }
});

test('close(): pending requests reject with CLIENT_CLOSED, later ones too, nothing is left running; idempotent', async () => {
  const before = handles();
  const fake = await FakeServer.start(pingOnly);
  const kurento = await KurentoClient.connect(fake.url, { pingIntervalMs: 20 });
  const closed: unknown[] = [];
  kurento.on('closed', (info) => closed.push(info));
  await sleep(50); // some pings went by
  const pending = rejectsWith(kurento.create('MediaPipeline'), 0, 'CLIENT_CLOSED');
  const first = kurento.close();
  assert.equal(kurento.close(), first);
  await first;
  await pending;
  await rejectsWith(kurento.createMediaPipeline(), 0, 'CLIENT_CLOSED');
  assert.equal(kurento.state, 'closed');
  assert.deepEqual(closed, [{ error: undefined }]);
  await fake.close();
  await assertNoLeaks(before);
});
