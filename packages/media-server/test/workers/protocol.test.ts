/**
 * The Kurento Protocol with `mediaWorkers: 2`: media objects live on two worker threads and the
 * main thread routes to them; on the wire nothing differs from one thread.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaServer } from '../../src/index.js';
import { RawRpc } from '../helpers/rpc.js';
import { PIPELINE_ID, startServer } from '../helpers/server.js';

let server: MediaServer;
let rpc: RawRpc;
before(async () => {
  server = await startServer({ mediaWorkers: 2 });
  rpc = await RawRpc.open(server.url);
});
after(async () => {
  await rpc.close();
  await server.stop();
});

const create = (type: string, mediaPipeline?: string) => rpc.value<string>('create', { type, ...(mediaPipeline ? { constructorParams: { mediaPipeline } } : {}) });
const loads = () => Object.fromEntries(server.hostLoad().map((h) => [h.host, h.objects]));

test('pipelines go to the least-loaded worker, elements beside their pipeline', async () => {
  assert.deepEqual(loads(), { main: 1, 'worker 1': 0, 'worker 2': 0 }, 'the main thread holds only the ServerManager');
  const first = await create('MediaPipeline');
  const second = await create('MediaPipeline');
  assert.match(first, PIPELINE_ID);
  assert.deepEqual(loads(), { main: 1, 'worker 1': 1, 'worker 2': 1 }, 'one pipeline on each worker');
  const element = await create('PassThrough', first);
  assert.ok(element.startsWith(`${first}/`));
  assert.deepEqual(loads(), { main: 1, 'worker 1': 2, 'worker 2': 1 });
  const third = await create('MediaPipeline');
  assert.deepEqual(loads(), { main: 1, 'worker 1': 2, 'worker 2': 2 }, 'the third pipeline goes to the emptier worker');
  const pipelines = await rpc.invoke<string[]>('manager_ServerManager', 'getPipelines');
  assert.deepEqual(pipelines, [first, second, third], 'the ServerManager lists the pipelines of both workers, oldest first');
  for (const p of [first, second, third]) await rpc.value('release', { object: p });
  assert.deepEqual(loads(), { main: 1, 'worker 1': 0, 'worker 2': 0 });
});

test('create, connect, getters and setters, events, describe: answered by the workers as by the main thread', async () => {
  const pipeline = await create('MediaPipeline');
  const source = await create('PassThrough', pipeline);
  const sink = await create('WebRtcEndpoint', pipeline);
  await rpc.value('subscribe', { object: source, type: 'ElementConnected' });
  assert.deepEqual((await rpc.call('invoke', { object: source, operation: 'connect', operationParams: { sink, mediaType: 'VIDEO' } })).result, { sessionId: rpc.sessionId });
  const connected = await rpc.event('ElementConnected');
  assert.equal(connected.method, 'onEvent');
  assert.deepEqual({ ...connected.params?.value.data, timestampMillis: 'ts' }, {
    source, tags: [], timestampMillis: 'ts', type: 'ElementConnected', sink, mediaType: 'VIDEO', sourceMediaDescription: 'default', sinkMediaDescription: 'default',
  });
  assert.equal(connected.params?.value.object, source);
  const sinks = await rpc.invoke<{ source: string; sink: string; type: string }[]>(source, 'getSinkConnections');
  assert.deepEqual(sinks.map((c) => [c.source, c.sink, c.type]), [[source, sink, 'VIDEO']]);

  await rpc.invoke(sink, 'setName', { name: 'viewer' });
  assert.equal(await rpc.invoke(sink, 'getName'), 'viewer');
  assert.equal(await rpc.invoke(sink, 'getMediaPipeline'), pipeline);
  assert.deepEqual(await rpc.invoke(pipeline, 'getChildren'), [source, sink]);
  const offer = await rpc.invoke<string>(sink, 'generateOffer');
  assert.match(offer, /^v=0\r\n/);

  const described = await rpc.call('describe', { object: sink });
  assert.deepEqual(described.result, {
    type: 'WebRtcEndpoint', qualifiedType: 'kurento.WebRtcEndpoint',
    hierarchy: ['kurento.BaseRtpEndpoint', 'kurento.SdpEndpoint', 'kurento.SessionEndpoint', 'kurento.Endpoint', 'kurento.MediaElement', 'kurento.MediaObject'],
    sessionId: rpc.sessionId,
  });
  const unsupported = await rpc.call('subscribe', { object: pipeline, type: 'IceCandidateFound' });
  assert.deepEqual(unsupported.error, { code: 40106, message: "MediaPipeline has no event 'IceCandidateFound'", data: { type: 'MEDIA_OBJECT_EVENT_NOT_SUPPORTED' } });
  await rpc.value('release', { object: pipeline });
});

test('the ServerManager, in the main thread, raises ObjectCreated and ObjectDestroyed for worker objects', async () => {
  const listener = await RawRpc.open(server.url);
  await listener.value('subscribe', { object: 'manager_ServerManager', type: 'ObjectCreated' });
  await listener.value('subscribe', { object: 'manager_ServerManager', type: 'ObjectDestroyed' });
  const pipeline = await create('MediaPipeline');
  assert.equal((await listener.event('ObjectCreated')).params?.value.data['object'], pipeline);
  await rpc.value('release', { object: pipeline });
  assert.equal((await listener.event('ObjectDestroyed')).params?.value.data['objectId'], pipeline);
  await listener.close();
});

test('a transaction with newref creates a pipeline and its element on one worker', async () => {
  const before = loads();
  const response = await rpc.call('transaction', {
    operations: [
      { method: 'create', params: { type: 'MediaPipeline' } },
      { method: 'create', params: { type: 'PassThrough', constructorParams: { mediaPipeline: 'newref:0' } } },
      { method: 'invoke', params: { object: 'newref:1', operation: 'getMediaPipeline' } },
      { method: 'describe', params: { object: 'newref:0' } },
    ],
  });
  const results = response.result?.['value'] as { result: { value?: string } }[];
  const pipeline = results[0]?.result.value ?? '';
  assert.match(pipeline, PIPELINE_ID);
  assert.ok(results[1]?.result.value?.startsWith(`${pipeline}/`));
  assert.deepEqual(results[2], { result: { value: pipeline } });
  assert.deepEqual(results[3], { result: { type: 'MediaPipeline', qualifiedType: 'kurento.MediaPipeline', hierarchy: ['kurento.MediaObject'] } });
  const after = loads();
  assert.equal(after['worker 1']! + after['worker 2']!, before['worker 1']! + before['worker 2']! + 2, 'both objects on a worker');
  assert.ok(after['worker 1'] === before['worker 1'] || after['worker 2'] === before['worker 2'], 'on the same worker');
  await rpc.value('release', { object: pipeline });
});

test('unknown and released objects, and objects of another worker, answer MEDIA_OBJECT_NOT_FOUND', async () => {
  const unknown = await rpc.call('invoke', { object: 'nope', operation: 'getName' });
  assert.deepEqual(unknown, { jsonrpc: '2.0', id: unknown.id, error: { code: 40101, message: "Object 'nope' not found", data: { type: 'MEDIA_OBJECT_NOT_FOUND' } } });
  const noPipeline = await rpc.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: 'gone_kurento.MediaPipeline' } });
  assert.deepEqual(noPipeline.error, { code: 40101, message: "Object 'gone_kurento.MediaPipeline' not found", data: { type: 'MEDIA_OBJECT_NOT_FOUND' } });
  assert.deepEqual((await rpc.call('ref', { object: 'nope' })).error, unknown.error);

  const [one, two] = [await create('MediaPipeline'), await create('MediaPipeline')];
  const onOne = await create('PassThrough', one);
  const onTwo = await create('PassThrough', two);
  const across = await rpc.call('invoke', { object: onOne, operation: 'connect', operationParams: { sink: onTwo } });
  assert.deepEqual(across.error, { code: 40101, message: `Object '${onTwo}' not found`, data: { type: 'MEDIA_OBJECT_NOT_FOUND' } }, 'elements of pipelines on different workers cannot be connected');
  await rpc.value('release', { object: one });
  const released = await rpc.call('invoke', { object: onOne, operation: 'getName' });
  assert.deepEqual(released.error, { code: 40101, message: `Object '${onOne}' not found`, data: { type: 'MEDIA_OBJECT_NOT_FOUND' } });
  assert.deepEqual((await rpc.call('release', { object: one })).error, { code: 40101, message: `Object '${one}' not found`, data: { type: 'MEDIA_OBJECT_NOT_FOUND' } });
  await rpc.value('release', { object: two });
});

test('a closed session releases its objects on the workers', async () => {
  const other = await RawRpc.open(server.url);
  await other.value('create', { type: 'MediaPipeline' });
  await other.value('create', { type: 'MediaPipeline' });
  assert.equal(server.hostLoad().reduce((n, h) => n + h.objects, 0), 3);
  await other.value('closeSession');
  await other.close();
  const deadline = Date.now() + 2000;
  while (server.hostLoad().reduce((n, h) => n + h.objects, 0) > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(loads(), { main: 1, 'worker 1': 0, 'worker 2': 0 });
});
