/**
 * MediaObject, MediaPipeline and ServerManager through the client, against the real server:
 * every operation, proxies for returned ids, describe for unknown ones, typed errors, release.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaServer } from '@kurento-ts/media-server';
import { SERVER_MANAGER_ID } from '@kurento-ts/protocol';
import {
  KurentoClient, KurentoClientError, MediaElement, MediaObject, MediaPipeline, PassThrough, ServerManager, WebRtcEndpoint,
} from '../src/index.js';
import { rejectsWith, startServer } from './helpers.js';

let server: MediaServer;
let kurento: KurentoClient;
before(async () => {
  server = await startServer();
  kurento = await KurentoClient.connect(server.url);
});
after(async () => {
  await kurento.close();
  await server.stop();
});

test('create, createMediaPipeline, and the proxy class hierarchy', async () => {
  const pipeline = await kurento.createMediaPipeline();
  assert.match(pipeline.id, /^[0-9a-f-]{36}_kurento\.MediaPipeline$/);
  assert.equal(pipeline.className, 'MediaPipeline');
  assert.ok(pipeline instanceof MediaPipeline && pipeline instanceof MediaObject && !(pipeline instanceof MediaElement));
  const ep = await pipeline.create('WebRtcEndpoint');
  assert.ok(ep instanceof WebRtcEndpoint && ep instanceof MediaElement && ep instanceof MediaObject);
  assert.ok(ep.id.startsWith(`${pipeline.id}/`));
  const pt = await kurento.create('PassThrough', { mediaPipeline: pipeline });
  assert.ok(pt instanceof PassThrough && !(pt instanceof WebRtcEndpoint));
  assert.equal(String(pt), `PassThrough(${pt.id})`);
  assert.equal(JSON.stringify({ pt }), JSON.stringify({ pt: pt.id }));
  // Properties at creation.
  const named = await kurento.create('MediaPipeline', {}, { name: 'named', latencyStats: true });
  assert.equal(await named.getName(), 'named');
  assert.equal(await named.getLatencyStats(), true);
  await named.release();
  await pipeline.release();
});

test('MediaObject operations: id, name, tags, sendTagsInEvents, creationTime, parent, mediaPipeline, children', async () => {
  const pipeline = await kurento.createMediaPipeline();
  const ep = await pipeline.create('WebRtcEndpoint');
  const pt = await pipeline.create('PassThrough');
  assert.equal(await ep.getId(), ep.id);
  assert.equal(await ep.getName(), ep.id, 'the name defaults to the id');
  await ep.setName('caller');
  assert.equal(await ep.getName(), 'caller');
  assert.equal(await ep.getSendTagsInEvents(), false);
  await ep.setSendTagsInEvents(true);
  assert.equal(await ep.getSendTagsInEvents(), true);
  const creationTime = await ep.getCreationTime();
  assert.ok(Math.abs(creationTime - Date.now() / 1000) < 60, `creationTime ${creationTime} is seconds since the epoch`);

  await ep.addTag('room', 'blue');
  await ep.addTag('user', 'ana');
  assert.equal(await ep.getTag('room'), 'blue');
  assert.deepEqual(await ep.getTags(), [{ key: 'room', value: 'blue' }, { key: 'user', value: 'ana' }]);
  await ep.removeTag('room');
  assert.deepEqual(await ep.getTags(), [{ key: 'user', value: 'ana' }]);
  await rejectsWith(ep.getTag('room'), 40110, 'MEDIA_OBJECT_TAG_KEY_NOT_FOUND');

  // References come back as the very proxies this client holds.
  assert.equal(await ep.getParent(), pipeline);
  assert.equal(await ep.getMediaPipeline(), pipeline);
  assert.equal(await pipeline.getMediaPipeline(), pipeline);
  assert.equal(await pipeline.getParent(), undefined, 'a pipeline has no parent');
  assert.deepEqual(new Set(await pipeline.getChildren()), new Set([ep, pt]));
  assert.deepEqual(await ep.getChildren(), []);

  assert.equal(await pipeline.getLatencyStats(), false);
  await pipeline.setLatencyStats(true);
  assert.equal(await pipeline.getLatencyStats(), true);
  await pipeline.release();
});

test('ServerManager: info, pipelines, sessions, metadata, kmd, cpu and memory', async () => {
  const manager = await kurento.getServerManager();
  assert.ok(manager instanceof ServerManager);
  assert.equal(manager.id, SERVER_MANAGER_ID);
  assert.equal(await kurento.getServerManager(), manager, 'one proxy per id');
  const pipeline = await kurento.createMediaPipeline();

  const info = await manager.getInfo();
  assert.equal(info.type, 'KMS');
  assert.deepEqual(info.modules.map((m) => m.name), ['core', 'elements', 'filters']);
  assert.ok(!('__type__' in info) && !('__type__' in (info.modules[0] ?? {})), 'complex values come back untagged');
  assert.ok(info.modules.find((m) => m.name === 'elements')?.factories.includes('WebRtcEndpoint'));
  assert.ok((await manager.getPipelines()).includes(pipeline));
  assert.ok(kurento.sessionId && (await manager.getSessions()).includes(kurento.sessionId));
  assert.equal(typeof (await manager.getMetadata()), 'string');
  const kmd = JSON.parse(await manager.getKmd('core')) as { name: string; remoteClasses: Record<string, unknown> };
  assert.equal(kmd.name, 'core');
  assert.ok('MediaPipeline' in kmd.remoteClasses);
  await rejectsWith(manager.getKmd('nope'), 40107, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
  assert.ok((await manager.getCpuCount()) >= 1);
  const cpu = await manager.getUsedCpu(20);
  assert.ok(cpu >= 0 && Number.isFinite(cpu));
  assert.ok((await manager.getUsedMemory()) > 0);
  assert.equal(await manager.getParent(), undefined);
  assert.equal(await manager.getMediaPipeline(), undefined);
  await rejectsWith(manager.release(), 40111, 'MEDIA_OBJECT_OPERATION_NOT_SUPPORTED');
  await pipeline.release();
});

test('getMediaobjectById: unknown ids are described into the right class; 40101 for ids nobody has', async () => {
  // Objects made by another client are new to this one.
  const other = await KurentoClient.connect(server.url);
  try {
    const pipeline = await other.createMediaPipeline();
    const ep = await pipeline.create('WebRtcEndpoint');
    const found = await kurento.getMediaobjectById(ep.id);
    assert.ok(found instanceof WebRtcEndpoint);
    assert.notEqual(found, ep, 'a proxy of this client, not the other');
    assert.equal(await kurento.getMediaobjectById(ep.id), found, 'described once, then known');
    const typed: WebRtcEndpoint = await kurento.getMediaobjectById(ep.id, 'WebRtcEndpoint');
    assert.equal(typed, found);
    const asElement: MediaElement = await kurento.getMediaobjectById(ep.id, 'MediaElement');
    assert.equal(asElement, found);
    await assert.rejects(kurento.getMediaobjectById(pipeline.id, 'WebRtcEndpoint'), TypeError);
    // Ids inside results are described too: the element's pipeline is new here.
    const theirPipeline = await typed.getMediaPipeline();
    assert.ok(theirPipeline instanceof MediaPipeline);
    assert.equal(theirPipeline.id, pipeline.id);
    await pipeline.release();
  } finally {
    await other.close();
  }
  const error = await rejectsWith(kurento.getMediaobjectById('nope_kurento.MediaPipeline'), 40101, 'MEDIA_OBJECT_NOT_FOUND');
  assert.equal(error.method, 'describe');
});

test('typed errors: bad class 40100, bad param 40107, unknown object 40101', async () => {
  const error = await rejectsWith(kurento.create('Nope' as 'MediaPipeline'), 40100, 'MEDIA_OBJECT_TYPE_NOT_FOUND');
  assert.ok(error instanceof KurentoClientError);
  assert.equal(error.method, 'create');
  assert.match(error.message, /Nope/);
  await rejectsWith(kurento.create('MediaElement' as 'MediaPipeline'), 40100, 'MEDIA_OBJECT_TYPE_NOT_FOUND');
  const pipeline = await kurento.createMediaPipeline();
  await rejectsWith(pipeline.setName(42 as unknown as string), 40107, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
  await rejectsWith(pipeline.create('WebRtcEndpoint', { recvonly: true, sendonly: true }), 40107, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
  await rejectsWith(kurento.create('WebRtcEndpoint', { mediaPipeline: 'gone_kurento.MediaPipeline' as unknown as MediaPipeline }), 40101, 'MEDIA_OBJECT_NOT_FOUND');
  await pipeline.release();
  await rejectsWith(pipeline.getName(), 40101, 'MEDIA_OBJECT_NOT_FOUND');
});

test('release(): idempotent, cascades from a pipeline to its elements, and frees the objects on the server', async () => {
  const pipeline = await kurento.createMediaPipeline();
  const ep = await pipeline.create('WebRtcEndpoint');
  const objects = server.registry.size;
  const releases = [pipeline.release(), pipeline.release()];
  assert.equal(releases[0], releases[1], 'a release in flight is shared');
  await Promise.all(releases);
  assert.equal(server.registry.size, objects - 2);
  assert.ok(pipeline.released && ep.released, 'the element went with its pipeline');
  await pipeline.release();
  await ep.release();
  await rejectsWith(ep.getName(), 40101, 'MEDIA_OBJECT_NOT_FOUND');
  // An element released alone leaves its pipeline alive.
  const p2 = await kurento.createMediaPipeline();
  const pt = await p2.create('PassThrough');
  await pt.release();
  assert.ok(pt.released && !p2.released);
  assert.deepEqual(await p2.getChildren(), []);
  await p2.release();
});
