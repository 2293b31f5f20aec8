/** Creating, inspecting, connecting and releasing media objects over the raw protocol. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaServer } from '../../src/index.js';
import { RawRpc } from '../helpers/rpc.js';
import { PIPELINE_ID, startServer } from '../helpers/server.js';

let server: MediaServer;
let rpc: RawRpc;
before(async () => {
  server = await startServer({ maxObjectsPerSession: 20 });
  rpc = await RawRpc.open(server.url);
});
after(async () => {
  await rpc.close();
  await server.stop();
});

async function pipelineWith(...types: string[]): Promise<{ pipeline: string; elements: string[] }> {
  const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const elements: string[] = [];
  for (const type of types) elements.push(await rpc.value<string>('create', { type, constructorParams: { mediaPipeline: pipeline }, properties: {} }));
  return { pipeline, elements };
}

test('ids follow Kurento: <uuid>_kurento.MediaPipeline and <pipeline>/<uuid>_kurento.<Type>', async () => {
  const { pipeline, elements } = await pipelineWith('WebRtcEndpoint', 'PassThrough');
  assert.match(pipeline, PIPELINE_ID);
  assert.match(elements[0] ?? '', new RegExp(`^${pipeline}/[0-9a-f-]{36}_kurento\\.WebRtcEndpoint$`));
  assert.match(elements[1] ?? '', new RegExp(`^${pipeline}/[0-9a-f-]{36}_kurento\\.PassThrough$`));
  const described = await rpc.call('describe', { object: elements[0] });
  assert.deepEqual(described.result, {
    type: 'WebRtcEndpoint', qualifiedType: 'kurento.WebRtcEndpoint',
    hierarchy: ['kurento.BaseRtpEndpoint', 'kurento.SdpEndpoint', 'kurento.SessionEndpoint', 'kurento.Endpoint', 'kurento.MediaElement', 'kurento.MediaObject'],
    sessionId: rpc.sessionId,
  });
  await rpc.value('release', { object: pipeline });
});

test('common properties: name, creation time, parent, media pipeline, children, sendTagsInEvents', async () => {
  const { pipeline, elements } = await pipelineWith('PassThrough');
  const [element = ''] = elements;
  assert.equal(await rpc.invoke(element, 'getName'), element, 'the name defaults to the id');
  assert.deepEqual((await rpc.call('invoke', { object: element, operation: 'setName', operationParams: { name: 'mirror' } })).result, { sessionId: rpc.sessionId });
  assert.equal(await rpc.invoke(element, 'getName'), 'mirror');
  assert.equal(await rpc.invoke(element, 'getId'), element);
  const created = await rpc.invoke<number>(element, 'getCreationTime');
  assert.ok(Math.abs(created - Date.now() / 1000) < 10);
  assert.equal(await rpc.invoke(element, 'getParent'), pipeline);
  assert.equal(await rpc.invoke(element, 'getMediaPipeline'), pipeline);
  assert.equal(await rpc.invoke(pipeline, 'getMediaPipeline'), pipeline);
  assert.deepEqual(await rpc.invoke(pipeline, 'getChildren'), [element]);
  assert.equal(await rpc.invoke(element, 'getSendTagsInEvents'), false);
  await rpc.invoke(element, 'setSendTagsInEvents', { sendTagsInEvents: true });
  assert.equal(await rpc.invoke(element, 'getSendTagsInEvents'), true);
  const readOnly = await rpc.call('invoke', { object: element, operation: 'setCreationTime', operationParams: { creationTime: 1 } });
  assert.equal(readOnly.error?.code, 40105);
  const pipelines = await rpc.invoke<string[]>('manager_ServerManager', 'getPipelines');
  assert.ok(pipelines.includes(pipeline));
  await rpc.value('release', { object: pipeline });
});

test('tags: add, get, list, remove; a missing key is 40110', async () => {
  const { pipeline } = await pipelineWith();
  await rpc.invoke(pipeline, 'addTag', { key: 'room', value: 'blue' });
  assert.equal(await rpc.invoke(pipeline, 'getTag', { key: 'room' }), 'blue');
  assert.deepEqual(await rpc.invoke(pipeline, 'getTags'), [{ __module__: 'kurento', __type__: 'Tag', key: 'room', value: 'blue' }]);
  await rpc.invoke(pipeline, 'removeTag', { key: 'room' });
  const missing = await rpc.call('invoke', { object: pipeline, operation: 'getTag', operationParams: { key: 'room' } });
  assert.deepEqual(missing.error, { code: 40110, message: 'Tag key not found: room', data: { type: 'MEDIA_OBJECT_TAG_KEY_NOT_FOUND' } });
  await rpc.value('release', { object: pipeline });
});

test('connect all media, or one type; connections listed both ways; a new source replaces the old one', async () => {
  const { pipeline, elements } = await pipelineWith('WebRtcEndpoint', 'PassThrough', 'PassThrough');
  const [ep = '', a = '', b = ''] = elements;
  await rpc.value('subscribe', { object: ep, type: 'ElementConnected' });
  await rpc.invoke(ep, 'connect', { sink: a });
  const connections = await rpc.invoke<Record<string, string>[]>(ep, 'getSinkConnections');
  assert.deepEqual(connections, ['AUDIO', 'VIDEO', 'DATA'].map((type) => ({ __module__: 'kurento', __type__: 'ElementConnectionData', source: ep, sink: a, type, sourceDescription: 'default', sinkDescription: 'default' })));
  assert.deepEqual((await rpc.invoke<Record<string, string>[]>(a, 'getSourceConnections', { mediaType: 'VIDEO' })).map((c) => c['source']), [ep]);
  const event = await rpc.event('ElementConnected');
  assert.deepEqual({ ...event.params?.value.data, timestampMillis: 'x' }, { source: ep, tags: [], timestampMillis: 'x', type: 'ElementConnected', sink: a, mediaType: 'AUDIO', sourceMediaDescription: 'default', sinkMediaDescription: 'default' });

  await rpc.invoke(b, 'connect', { sink: a, mediaType: 'VIDEO' });
  assert.deepEqual((await rpc.invoke<Record<string, string>[]>(a, 'getSourceConnections', { mediaType: 'VIDEO' })).map((c) => c['source']), [b], 'a sink takes one video source');
  assert.deepEqual((await rpc.invoke<Record<string, string>[]>(ep, 'getSinkConnections')).map((c) => c['type']), ['AUDIO', 'DATA']);

  await rpc.invoke(ep, 'disconnect', { sink: a });
  assert.deepEqual(await rpc.invoke(ep, 'getSinkConnections'), []);
  assert.equal(await rpc.invoke(a, 'isMediaFlowingIn', { mediaType: 'VIDEO' }), false);
  assert.equal(await rpc.invoke(a, 'isMediaTranscoding', { mediaType: 'VIDEO' }), false);
  const stats = await rpc.invoke<Record<string, { type: string }>>(ep, 'getStats', { mediaType: 'VIDEO' });
  assert.deepEqual(Object.values(stats).map((s) => s.type).sort(), ['element', 'endpoint', 'inboundrtp', 'outboundrtp']);
  await rpc.value('release', { object: pipeline });
});

test('elements of different pipelines cannot be connected (40004)', async () => {
  const one = await pipelineWith('PassThrough');
  const two = await pipelineWith('PassThrough');
  const refused = await rpc.call('invoke', { object: one.elements[0], operation: 'connect', operationParams: { sink: two.elements[0] } });
  assert.deepEqual(refused.error, { code: 40004, message: 'Cannot connect elements of different pipelines', data: { type: 'CONNECT_ERROR' } });
  await rpc.value('release', { object: one.pipeline });
  await rpc.value('release', { object: two.pipeline });
});

test('bad calls get Kurento codes: unknown class, object, method, event; missing and mistyped params', async () => {
  const { pipeline, elements } = await pipelineWith('WebRtcEndpoint');
  const [ep = ''] = elements;
  const error = async (method: string, params: Record<string, unknown>) => (await rpc.call(method, params)).error;
  assert.deepEqual(await error('create', { type: 'Teleporter' }), { code: 40100, message: "Class 'Teleporter' does not exist", data: { type: 'MEDIA_OBJECT_TYPE_NOT_FOUND' } });
  assert.deepEqual(await error('create', { type: 'MediaElement', constructorParams: { mediaPipeline: pipeline } }), { code: 40100, message: "Class 'MediaElement' cannot be created", data: { type: 'MEDIA_OBJECT_TYPE_NOT_FOUND' } });
  assert.deepEqual(await error('create', { type: 'WebRtcEndpoint', constructorParams: {} }), { code: 40107, message: "'mediaPipeline' parameter is required", data: { type: 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR' } });
  assert.deepEqual(await error('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: ep } }), { code: 40107, message: `'mediaPipeline' must be a MediaPipeline, '${ep}' is a WebRtcEndpoint`, data: { type: 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR' } });
  assert.deepEqual(await error('invoke', { object: 'nope', operation: 'getName' }), { code: 40101, message: "Object 'nope' not found", data: { type: 'MEDIA_OBJECT_NOT_FOUND' } });
  assert.deepEqual(await error('invoke', { object: ep, operation: 'fly' }), { code: 40105, message: "Method 'fly' not found in WebRtcEndpoint", data: { type: 'MEDIA_OBJECT_METHOD_NOT_FOUND' } });
  assert.deepEqual(await error('invoke', { object: ep, operation: 'processOffer', operationParams: { offer: 42 } }), { code: 40107, message: "'offer' must be a String", data: { type: 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR' } });
  assert.deepEqual(await error('invoke', { object: ep, operation: 'connect', operationParams: { sink: ep, mediaType: 'SMELL' } }), { code: 40107, message: "'mediaType' must be one of AUDIO, DATA, VIDEO", data: { type: 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR' } });
  assert.deepEqual(await error('invoke', { object: ep, operation: 'addIceCandidate', operationParams: { candidate: { sdpMid: '0' } } }), { code: 40107, message: "'candidate.candidate' is required", data: { type: 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR' } });
  assert.deepEqual(await error('subscribe', { object: pipeline, type: 'IceCandidateFound' }), { code: 40106, message: "MediaPipeline has no event 'IceCandidateFound'", data: { type: 'MEDIA_OBJECT_EVENT_NOT_SUPPORTED' } });
  assert.deepEqual(await error('release', { object: 'manager_ServerManager' }), { code: 40111, message: 'The ServerManager cannot be released', data: { type: 'MEDIA_OBJECT_OPERATION_NOT_SUPPORTED' } });
  await rpc.value('release', { object: pipeline });
  assert.equal((await error('invoke', { object: ep, operation: 'getName' }))?.code, 40101, 'released elements are gone');
  assert.equal((await error('release', { object: pipeline }))?.code, 40101, 'a second release is an unknown object');
});

test('releasing a pipeline releases its elements and their subscriptions', async () => {
  const before = server.registry.size;
  const { pipeline, elements } = await pipelineWith('WebRtcEndpoint', 'PassThrough');
  const sub = await rpc.value<string>('subscribe', { object: elements[0], type: 'MediaFlowInStateChanged' });
  assert.equal(server.registry.size, before + 3);
  await rpc.value('release', { object: pipeline });
  assert.equal(server.registry.size, before);
  const gone = await rpc.call('unsubscribe', { object: elements[0], subscription: sub });
  assert.equal(gone.error?.code, 40107, 'the subscription went with its object');
});

test('transaction: later operations use objects created earlier through newref:N', async () => {
  const response = await rpc.call('transaction', {
    operations: [
      { jsonrpc: '2.0', id: 0, method: 'create', params: { type: 'MediaPipeline', constructorParams: {}, properties: {} } },
      { jsonrpc: '2.0', id: 1, method: 'create', params: { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: 'newref:0' }, properties: {} } },
      { jsonrpc: '2.0', id: 2, method: 'invoke', params: { object: 'newref:1', operation: 'connect', operationParams: { sink: 'newref:1' } } },
      { jsonrpc: '2.0', id: 3, method: 'invoke', params: { object: 'newref:1', operation: 'getMediaPipeline' } },
    ],
  });
  const results = response.result?.['value'] as { result: { value?: string } }[];
  const pipeline = results[0]?.result.value ?? '';
  assert.match(pipeline, PIPELINE_ID);
  assert.ok(results[1]?.result.value?.startsWith(`${pipeline}/`));
  assert.deepEqual(results[2], { result: {} });
  assert.deepEqual(results[3], { result: { value: pipeline } });
  const failed = await rpc.call('transaction', { operations: [{ method: 'invoke', params: { object: 'newref:5', operation: 'getName' } }, { method: 'ping', params: {} }] });
  assert.deepEqual(failed.result?.['value'], [{ error: { code: 40109, message: 'newref:5 does not name an object created earlier in this transaction', data: { type: 'MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT' } } }]);
  await rpc.value('release', { object: pipeline });
});

test('a session may hold at most maxObjectsPerSession objects (40009)', async () => {
  const other = await RawRpc.open(server.url);
  const created: string[] = [];
  for (let i = 0; i < 20; i++) created.push(await other.value<string>('create', { type: 'MediaPipeline' }));
  const refused = await other.call('create', { type: 'MediaPipeline' });
  assert.deepEqual(refused.error, { code: 40009, message: 'A session may hold at most 20 objects (--max-objects-per-session)', data: { type: 'NOT_ENOUGH_RESOURCES' } });
  await other.value('closeSession');
  assert.equal(server.registry.pipelines().filter((p) => created.includes(p.id)).length, 0);
  await other.close();
});
