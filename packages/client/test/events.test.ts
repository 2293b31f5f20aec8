/**
 * Typed events against the real server: one `subscribe` per event type on the first listener,
 * `unsubscribe` when the last one goes, `once` in both forms, decoded payloads (proxies, tags),
 * events from the server manager about objects this client never saw, and refusals.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaServer } from '@kurento-ts/media-server';
import { KurentoClient, WebRtcEndpoint, type EventPayload, type MediaPipeline } from '../src/index.js';
import { rejectsWith, startServer, waitFor } from './helpers.js';

let server: MediaServer;
let kurento: KurentoClient;
let pipeline: MediaPipeline;
before(async () => {
  server = await startServer();
  kurento = await KurentoClient.connect(server.url);
  pipeline = await kurento.createMediaPipeline();
});
after(async () => {
  await pipeline.release();
  await kurento.close();
  await server.stop();
});

/** The server's subscriptions of this client's session, as `type@object` strings. */
function serverSubscriptions(): string[] {
  const session = kurento.sessionId === undefined ? undefined : server.sessions.get(kurento.sessionId);
  return [...(session?.subscriptions.values() ?? [])].map((s) => `${s.type}@${s.objectId}`).sort();
}

test('subscribe on the first listener of a type, unsubscribe when the last one goes', async () => {
  const a = await pipeline.create('PassThrough');
  const b = await pipeline.create('PassThrough');
  const first: EventPayload<'ElementConnected'>[] = [];
  const second: EventPayload<'ElementConnected'>[] = [];
  const one = (e: EventPayload<'ElementConnected'>) => first.push(e);
  const two = (e: EventPayload<'ElementConnected'>) => second.push(e);
  await a.on('ElementConnected', one);
  await a.on('ElementConnected', two);
  assert.deepEqual(serverSubscriptions(), [`ElementConnected@${a.id}`], 'one subscription for two listeners');
  assert.equal(a.listenerCount('ElementConnected'), 2);

  await a.connect(b, 'VIDEO');
  await waitFor('both listeners', () => first.length === 1 && second.length === 1);
  const event = first[0];
  assert.ok(event);
  assert.equal(second[0], event, 'listeners share the decoded payload');
  assert.equal(event.type, 'ElementConnected');
  assert.equal(event.source, a);
  assert.equal(event.sink, b, 'ids in payloads are the proxies this client holds');
  assert.equal(event.mediaType, 'VIDEO');
  assert.equal(event.sourceMediaDescription, 'default');
  assert.equal(event.sinkMediaDescription, 'default');
  assert.deepEqual(event.tags, []);

  await a.off('ElementConnected', one);
  assert.deepEqual(serverSubscriptions(), [`ElementConnected@${a.id}`], 'still one listener');
  await a.off('ElementConnected', two);
  assert.deepEqual(serverSubscriptions(), [], 'the last listener unsubscribed');
  await a.off('ElementConnected', two); // not a listener any more: nothing to do
  await a.connect(b, 'AUDIO');
  await a.release();
  await b.release();
  assert.equal(first.length, 1);
});

test('once: with a listener, and as a promise of the next event; both unsubscribe afterwards', async () => {
  const a = await pipeline.create('PassThrough');
  const b = await pipeline.create('PassThrough');
  const seen: string[] = [];
  await a.once('ElementConnected', (e) => seen.push(e.mediaType));
  const next = a.once('ElementDisconnected');
  await waitFor('two subscriptions', () => serverSubscriptions().length === 2);
  await a.connect(b, 'VIDEO');
  await a.connect(b, 'AUDIO');
  await a.disconnect(b, 'VIDEO');
  const disconnected = await next;
  assert.equal(disconnected.type, 'ElementDisconnected');
  assert.equal(disconnected.sink, b);
  assert.equal(disconnected.mediaType, 'VIDEO');
  await waitFor('once listeners to unsubscribe', () => serverSubscriptions().length === 0);
  assert.deepEqual(seen, ['VIDEO']);
  await a.release();
  await b.release();
});

test('quick on/off sequences leave the server exactly as the listeners say', async () => {
  const a = await pipeline.create('PassThrough');
  const listener = () => undefined;
  const steps = [a.on('MediaFlowInStateChanged', listener), a.off('MediaFlowInStateChanged', listener), a.on('MediaFlowInStateChanged', listener)];
  await Promise.all(steps);
  assert.deepEqual(serverSubscriptions(), [`MediaFlowInStateChanged@${a.id}`]);
  const more = [a.off('MediaFlowInStateChanged', listener), a.on('MediaFlowInStateChanged', listener), a.off('MediaFlowInStateChanged', listener)];
  await Promise.all(more);
  assert.deepEqual(serverSubscriptions(), []);
  await a.release();
});

test('tags travel in events when sendTagsInEvents is set, untagged', async () => {
  const a = await pipeline.create('PassThrough');
  const b = await pipeline.create('PassThrough');
  await a.setSendTagsInEvents(true);
  await a.addTag('room', 'blue');
  const next = a.once('ElementConnected');
  await waitFor('the subscription', () => serverSubscriptions().length === 1);
  await a.connect(b, 'DATA');
  assert.deepEqual((await next).tags, [{ key: 'room', value: 'blue' }]);
  await a.release();
  await b.release();
});

test('server manager events name objects this client never saw: they arrive as proxies of the right class', async () => {
  const manager = await kurento.getServerManager();
  const created: EventPayload<'ObjectCreated'>[] = [];
  const destroyed: string[] = [];
  const onCreated = (e: EventPayload<'ObjectCreated'>) => created.push(e);
  const onDestroyed = (e: EventPayload<'ObjectDestroyed'>) => destroyed.push(e.objectId);
  await manager.on('ObjectCreated', onCreated);
  await manager.on('ObjectDestroyed', onDestroyed);
  const other = await KurentoClient.connect(server.url);
  try {
    const theirs = await other.createMediaPipeline();
    const ep = await theirs.create('WebRtcEndpoint');
    await waitFor('two ObjectCreated', () => created.length === 2);
    const [p, e] = created;
    assert.equal(p?.object.id, theirs.id);
    assert.ok(e?.object instanceof WebRtcEndpoint);
    assert.equal(e.object.id, ep.id);
    assert.equal(e.source, manager);
    await theirs.release();
    await waitFor('two ObjectDestroyed', () => destroyed.length === 2);
    assert.deepEqual(new Set(destroyed), new Set([theirs.id, ep.id]));
  } finally {
    await other.close();
    await manager.off('ObjectCreated', onCreated);
    await manager.off('ObjectDestroyed', onDestroyed);
  }
});

test('refused subscriptions reject and drop their listener; released objects drop theirs', async () => {
  const a = await pipeline.create('PassThrough');
  // Not a PassThrough event: the types forbid it, the server refuses it too.
  const error = await rejectsWith(a.on('IceCandidateFound' as 'ElementConnected', () => undefined), 40106, 'MEDIA_OBJECT_EVENT_NOT_SUPPORTED');
  assert.equal(error.method, 'subscribe');
  assert.equal(a.listenerCount('ElementConnected'), 0);
  await a.on('ElementConnected', () => undefined);
  await a.release();
  assert.equal(a.listenerCount('ElementConnected'), 0);
  await rejectsWith(a.on('ElementConnected', () => undefined), 40101, 'MEDIA_OBJECT_NOT_FOUND');
});

test('a once(type) promise rejects when the object is released or the client closes, instead of hanging', async () => {
  const a = await pipeline.create('PassThrough');
  const next = a.once('ElementConnected');
  await waitFor('the subscription', () => serverSubscriptions().length === 1);
  await a.release();
  await rejectsWith(next, 0, 'OBJECT_RELEASED');
  const other = await KurentoClient.connect(server.url);
  const theirs = await other.createMediaPipeline();
  const pending = rejectsWith(theirs.once('Error'), 0, 'CLIENT_CLOSED');
  await new Promise((r) => setTimeout(r, 20));
  await other.close();
  await pending;
});

test('events keep their order', async () => {
  const a = await pipeline.create('PassThrough');
  const b = await pipeline.create('PassThrough');
  const order: string[] = [];
  await a.on('ElementConnected', (e) => order.push(`+${e.mediaType}`));
  await a.on('ElementDisconnected', (e) => order.push(`-${e.mediaType}`));
  await a.connect(b);
  await a.disconnect(b);
  await waitFor('six events', () => order.length === 6);
  assert.deepEqual(order, ['+AUDIO', '+VIDEO', '+DATA', '-AUDIO', '-VIDEO', '-DATA']);
  await a.release();
  await b.release();
});
