/**
 * Reconnection against the real server: the socket is killed from the server side mid-session,
 * the client reconnects with backoff and resumes its session with `connect` (same session id,
 * proxies usable, subscriptions delivering), or learns with 40007 that the session is gone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KurentoClient, type EventPayload, type KurentoClientEvents } from '../src/index.js';
import { assertNoLeaks, dropClients, handles, rejectsWith, startServer, waitFor } from './helpers.js';

/** Records the client's own events by name. */
function record(kurento: KurentoClient): string[] {
  const seen: string[] = [];
  for (const name of ['connected', 'disconnected', 'reconnecting', 'reconnected', 'sessionLost', 'closed'] as const satisfies readonly (keyof KurentoClientEvents)[]) {
    kurento.on(name, () => seen.push(name));
  }
  return seen;
}

test('a dropped socket is reopened and the session resumed: same session, proxies and subscriptions intact', async () => {
  const server = await startServer();
  const kurento = await KurentoClient.connect(server.url, { reconnect: { initialDelayMs: 20 } });
  const seen = record(kurento);
  const resumed: unknown[] = [];
  kurento.on('reconnected', (info) => resumed.push(info));
  try {
    const pipeline = await kurento.createMediaPipeline();
    const a = await pipeline.create('PassThrough');
    const b = await pipeline.create('PassThrough');
    const connected: EventPayload<'ElementConnected'>[] = [];
    await a.on('ElementConnected', (e) => connected.push(e));
    const sessionId = kurento.sessionId;
    assert.ok(sessionId);

    dropClients(server);
    await waitFor('the session to resume', () => seen.includes('reconnected'));
    assert.deepEqual(seen, ['disconnected', 'reconnecting', 'connected', 'reconnected']);
    assert.deepEqual(resumed, [{ sessionId }]);
    assert.equal(kurento.sessionId, sessionId);
    assert.equal(kurento.state, 'open');
    assert.equal(server.connections, 1);

    // The same proxies work, and the subscription made before the drop still delivers.
    assert.equal(await a.getMediaPipeline(), pipeline);
    await a.connect(b, 'VIDEO');
    await waitFor('the event through the resumed subscription', () => connected.length === 1);
    assert.equal(connected[0]?.sink, b);
    assert.equal(server.sessions.get(sessionId)?.subscriptions.size, 1, 'no second subscription was made');
    await pipeline.release();
  } finally {
    await kurento.close();
    await server.stop();
  }
});

test('requests made while disconnected wait for the resumed session; those in flight fail with CONNECTION_LOST', async () => {
  const server = await startServer();
  const kurento = await KurentoClient.connect(server.url, { reconnect: { initialDelayMs: 100 } });
  try {
    const pipeline = await kurento.createMediaPipeline();
    const manager = await kurento.getServerManager();
    // getUsedCpu(400) keeps the server busy long enough to kill the socket under it.
    const inFlight = rejectsWith(manager.getUsedCpu(400), 0, 'CONNECTION_LOST');
    await new Promise((r) => setTimeout(r, 50));
    dropClients(server);
    await inFlight;
    await waitFor('the client to notice', () => kurento.state === 'reconnecting');
    const queued = pipeline.getName(); // issued while disconnected
    assert.equal(await queued, pipeline.id);
    assert.equal(kurento.state, 'open');
    await pipeline.release();
  } finally {
    await kurento.close();
    await server.stop();
  }
});

test('a session the server no longer has: sessionLost, old proxies dead, a new session works', async () => {
  const server = await startServer({ sessionGraceMs: 0 }); // sessions die with their socket
  const kurento = await KurentoClient.connect(server.url, { reconnect: { initialDelayMs: 50 } });
  const seen = record(kurento);
  const lost: { sessionId: string; code: number }[] = [];
  kurento.on('sessionLost', ({ sessionId, error }) => lost.push({ sessionId, code: error.code }));
  try {
    const pipeline = await kurento.createMediaPipeline();
    const old = kurento.sessionId;
    assert.ok(old);
    dropClients(server);
    await waitFor('sessionLost', () => lost.length === 1);
    assert.deepEqual(lost, [{ sessionId: old, code: 40007 }]);
    assert.deepEqual(seen, ['disconnected', 'reconnecting', 'connected', 'sessionLost']);
    assert.ok(pipeline.released);
    await rejectsWith(pipeline.getName(), 40101, 'MEDIA_OBJECT_NOT_FOUND');
    const fresh = await kurento.createMediaPipeline();
    assert.ok(kurento.sessionId && kurento.sessionId !== old);
    assert.equal(await fresh.getName(), fresh.id);
    await fresh.release();
  } finally {
    await kurento.close();
    await server.stop();
  }
});

test('while the server is down the client retries with growing delays, then resumes on a new server as a lost session', async () => {
  const first = await startServer();
  const port = first.port;
  const kurento = await KurentoClient.connect(first.url, { reconnect: { initialDelayMs: 20, factor: 2, maxDelayMs: 80 } });
  const delays: number[] = [];
  kurento.on('reconnecting', ({ delayMs }) => delays.push(delayMs));
  const seen = record(kurento);
  await kurento.createMediaPipeline();
  await first.stop();
  await waitFor('five attempts', () => delays.length >= 5);
  assert.deepEqual(delays.slice(0, 5), [20, 40, 80, 80, 80]);
  const second = await startServer({ port });
  try {
    await waitFor('the new server to report the session lost', () => seen.includes('sessionLost'));
    assert.equal(kurento.state, 'open');
    const pipeline = await kurento.createMediaPipeline();
    await pipeline.release();
  } finally {
    await kurento.close();
    await second.stop();
  }
});

test('reconnect: false, or running out of attempts, closes the client; close() while reconnecting leaves nothing behind', async () => {
  const before = handles();
  const server = await startServer();
  const noRetry = await KurentoClient.connect(server.url, { reconnect: false });
  const limited = await KurentoClient.connect(server.url, { reconnect: { initialDelayMs: 10, maxAttempts: 2 } });
  const patient = await KurentoClient.connect(server.url, { reconnect: { initialDelayMs: 10 } });
  const closed: (string | undefined)[] = [];
  noRetry.on('closed', ({ error }) => closed.push(error?.message));
  limited.on('closed', ({ error }) => closed.push(error?.message));
  await server.stop();
  await waitFor('both to give up', () => closed.length === 2);
  assert.equal(noRetry.state, 'closed');
  assert.equal(limited.state, 'closed');
  assert.ok(closed.every((m) => m?.startsWith('Gave up reconnecting')));
  await rejectsWith(limited.createMediaPipeline(), 0, 'CLIENT_CLOSED');
  await waitFor('the patient one to be retrying', () => patient.state === 'reconnecting');
  await patient.close();
  await noRetry.close();
  await limited.close();
  await assertNoLeaks(before);
});
