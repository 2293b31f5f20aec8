/** The media graph over the raw protocol: loops refused, self-loops of endpoints kept, bad connects. */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import type { MediaServer } from '../../src/index.js';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

let server: MediaServer;
let rpc: RawRpc;
before(async () => {
  server = await startServer();
  rpc = await RawRpc.open(server.url);
});
after(async () => {
  await rpc.close();
  await server.stop();
});

async function pipelineWith(...types: string[]): Promise<{ pipeline: string; elements: string[] }> {
  const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const elements: string[] = [];
  for (const type of types) elements.push(await rpc.value<string>('create', { type, constructorParams: { mediaPipeline: pipeline } }));
  return { pipeline, elements };
}

const connect = (source: string, sink: string, mediaType?: string) =>
  rpc.call('invoke', { object: source, operation: 'connect', operationParams: { sink, ...(mediaType ? { mediaType } : {}) } });

/** The error a loop gets, exactly. */
function assertLoopRefused(response: Awaited<ReturnType<typeof connect>>, source: string, sink: string, type: string): void {
  assert.deepEqual(response.error, {
    code: 40004,
    message: `Connecting ${source} to ${sink} for ${type} would close a loop of elements that forward media to each other`,
    data: { type: 'CONNECT_ERROR' },
  });
}

/** The server still answers at once. */
async function assertResponsive(): Promise<void> {
  const start = performance.now();
  assert.equal(await rpc.value('ping'), 'pong');
  assert.ok(performance.now() - start < 200, 'ping answered at once');
}

test('loops of 1, 2 and 3 PassThroughs are refused for VIDEO, AUDIO and all types, and the server answers at once afterwards', async () => {
  const { pipeline, elements } = await pipelineWith('PassThrough', 'PassThrough', 'PassThrough');
  const [a = '', b = '', c = ''] = elements;
  for (const type of ['VIDEO', 'AUDIO', undefined]) {
    assertLoopRefused(await connect(a, a, type), a, a, type ?? 'AUDIO');
  }
  assert.equal((await connect(a, b, 'VIDEO')).error, undefined);
  assertLoopRefused(await connect(b, a, 'VIDEO'), b, a, 'VIDEO');
  assertLoopRefused(await connect(b, a), b, a, 'VIDEO');
  assert.deepEqual(await rpc.invoke(b, 'getSinkConnections'), [], 'a refused connect of all types makes none of them');
  assert.equal((await connect(b, a, 'AUDIO')).error, undefined, 'AUDIO back is no loop: a → b carries VIDEO only');
  assert.equal((await connect(b, c, 'VIDEO')).error, undefined);
  assertLoopRefused(await connect(c, a, 'VIDEO'), c, a, 'VIDEO');
  assert.equal((await connect(c, a, 'DATA')).error, undefined, 'DATA: a → b → c carries no DATA');
  await assertResponsive();
  await rpc.value('release', { object: pipeline });
});

test('a WebRtcEndpoint connected to itself, or in a cycle through a PassThrough, is legal: it sends to the network', async () => {
  const { pipeline, elements } = await pipelineWith('WebRtcEndpoint', 'PassThrough');
  const [endpoint = '', pass = ''] = elements;
  assert.equal((await connect(endpoint, endpoint)).error, undefined);
  const connections = await rpc.invoke<{ type: string }[]>(endpoint, 'getSinkConnections');
  assert.deepEqual(connections.map((c) => c.type).sort(), ['AUDIO', 'DATA', 'VIDEO']);
  assert.equal((await connect(endpoint, pass, 'VIDEO')).error, undefined);
  assert.equal((await connect(pass, endpoint, 'VIDEO')).error, undefined, 'replaces the self-connection for VIDEO');
  assert.deepEqual(await rpc.invoke(endpoint, 'getSourceConnections', { mediaType: 'VIDEO' }), [
    { __module__: 'kurento', __type__: 'ElementConnectionData', source: pass, sink: endpoint, type: 'VIDEO', sourceDescription: 'default', sinkDescription: 'default' },
  ]);
  await assertResponsive();
  await rpc.value('release', { object: pipeline });
});

test('connect events: ElementConnected on the source, ElementDisconnected when a new source replaces it', async () => {
  const { pipeline, elements } = await pipelineWith('PassThrough', 'PassThrough', 'PassThrough');
  const [a = '', b = '', sink = ''] = elements;
  for (const object of [a, b]) for (const type of ['ElementConnected', 'ElementDisconnected']) await rpc.value('subscribe', { object, type });
  rpc.notifications.length = 0;
  await connect(a, sink, 'VIDEO');
  await connect(b, sink, 'VIDEO');
  const events = rpc.notifications.map((n) => ({ object: n.params?.value.object, type: n.params?.value.type, data: { ...n.params?.value.data, timestampMillis: 'T' } }));
  const fields = { sink, mediaType: 'VIDEO', sourceMediaDescription: 'default', sinkMediaDescription: 'default', tags: [], timestampMillis: 'T' };
  assert.deepEqual(events, [
    { object: a, type: 'ElementConnected', data: { source: a, type: 'ElementConnected', ...fields } },
    { object: a, type: 'ElementDisconnected', data: { source: a, type: 'ElementDisconnected', ...fields } },
    { object: b, type: 'ElementConnected', data: { source: b, type: 'ElementConnected', ...fields } },
  ]);
  await rpc.value('release', { object: pipeline });
});

test('connecting to a released element, or to something that is not an element, is refused with Kurento codes', async () => {
  const { pipeline, elements } = await pipelineWith('PassThrough', 'PassThrough');
  const [a = '', b = ''] = elements;
  await rpc.value('release', { object: b });
  const released = await connect(a, b);
  assert.equal(released.error?.code, 40101);
  assert.equal(released.error?.data?.type, 'MEDIA_OBJECT_NOT_FOUND');
  const notElement = await connect(a, pipeline);
  assert.equal(notElement.error?.code, 40107);
  assert.match(notElement.error?.message ?? '', /'sink' must be a MediaElement/);
  const badType = await connect(a, a, 'SMELL');
  assert.equal(badType.error?.code, 40107);
  await assertResponsive();
  await rpc.value('release', { object: pipeline });
});
