/** JSON-RPC envelopes, sessions and the server manager, asserted on the exact wire bytes. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaServer } from '../../src/index.js';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

let server: MediaServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('ping answers pong, with no session before one exists', async () => {
  const rpc = await RawRpc.open(server.url);
  const response = await rpc.send('{"jsonrpc":"2.0","method":"ping","params":{"interval":5000},"id":0}', 0);
  assert.deepEqual(response, { jsonrpc: '2.0', id: 0, result: { value: 'pong' } });
  await rpc.close();
});

test('describe of the server manager creates the session, as the official client expects', async () => {
  const rpc = await RawRpc.open(server.url);
  const response = await rpc.call('describe', { object: 'manager_ServerManager' });
  assert.equal(typeof response.result?.['sessionId'], 'string');
  assert.deepEqual(response, {
    jsonrpc: '2.0', id: 1,
    result: { type: 'ServerManager', qualifiedType: 'kurento.ServerManager', hierarchy: ['kurento.MediaObject'], sessionId: rpc.sessionId },
  });
  const pong = await rpc.call('ping');
  assert.deepEqual(pong.result, { value: 'pong', sessionId: rpc.sessionId });
  await rpc.close();
});

test('getInfo lists the modules core, elements and filters (the official client refuses to connect otherwise)', async () => {
  const rpc = await RawRpc.open(server.url);
  const info = await rpc.invoke<{ version: string; type: string; modules: { name: string; factories: string[]; __type__: string }[] }>('manager_ServerManager', 'getInfo');
  assert.equal(info.type, 'KMS');
  assert.deepEqual(info.modules.map((m) => m.name), ['core', 'elements', 'filters']);
  assert.equal(info.modules[0]?.__type__, 'ModuleInfo');
  assert.ok(info.modules.find((m) => m.name === 'elements')?.factories.includes('WebRtcEndpoint'));
  assert.ok(info.modules.find((m) => m.name === 'core')?.factories.includes('MediaPipeline'));
  const sessions = await rpc.invoke<string[]>('manager_ServerManager', 'getSessions');
  assert.ok(sessions.includes(rpc.sessionId ?? ''));
  assert.ok((await rpc.invoke<number>('manager_ServerManager', 'getCpuCount')) >= 1);
  assert.ok((await rpc.invoke<number>('manager_ServerManager', 'getUsedMemory')) > 1000);
  const cpu = await rpc.invoke<number>('manager_ServerManager', 'getUsedCpu', { interval: 50 });
  assert.ok(cpu >= 0 && cpu <= 100);
  await rpc.close();
});

test('malformed envelopes get JSON-RPC errors and the connection keeps working', async () => {
  const rpc = await RawRpc.open(server.url);
  assert.deepEqual(await rpc.send('{not json', null), { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the message is not valid JSON' } });
  assert.deepEqual(await rpc.send('[1,2]', null), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request: expected a JSON object' } });
  assert.deepEqual(await rpc.send('"text"', null), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request: expected a JSON object' } });
  assert.deepEqual(await rpc.send({ id: 7, method: 'ping' }, 7), { jsonrpc: '2.0', id: 7, error: { code: -32600, message: "Invalid request: 'jsonrpc' must be \"2.0\" and 'method' a string" } });
  assert.deepEqual(await rpc.send({ jsonrpc: '2.0', id: 8, method: 'ping', params: [1] }, 8), { jsonrpc: '2.0', id: 8, error: { code: -32602, message: "Invalid params: 'params' must be an object" } });
  assert.deepEqual(await rpc.send({ jsonrpc: '2.0', id: 'x', method: 'fly' }, 'x'), { jsonrpc: '2.0', id: 'x', error: { code: -32601, message: 'Method not found: fly', data: { type: 'METHOD_NOT_FOUND' } } });
  const missing = await rpc.call('invoke', { operation: 'getName' });
  assert.deepEqual(missing.error, { code: -32602, message: "'object' parameter is required and must be a string", data: { type: 'INVALID_PARAMS' } });
  assert.deepEqual((await rpc.call('ping')).result?.['value'], 'pong');
  await rpc.close();
});

test('connect resumes a session on a new socket; an unknown session is 40007', async () => {
  const first = await RawRpc.open(server.url);
  const pipeline = await first.value<string>('create', { type: 'MediaPipeline' });
  const subscription = await first.value<string>('subscribe', { object: 'manager_ServerManager', type: 'ObjectCreated' });
  assert.equal(typeof subscription, 'string');
  await first.close();

  const second = await RawRpc.open(server.url);
  const resumed = await second.call('connect', { sessionId: first.sessionId });
  assert.deepEqual(resumed, { jsonrpc: '2.0', id: 1, result: { sessionId: first.sessionId } });
  assert.equal(await second.invoke('manager_ServerManager', 'getName'), 'manager_ServerManager');
  // The subscription made on the first socket now delivers on the second.
  await second.value('create', { type: 'MediaPipeline' });
  const event = await second.event('ObjectCreated');
  assert.equal(event.params?.value.object, 'manager_ServerManager');
  assert.match(String(event.params?.value.data['object']), /_kurento\.MediaPipeline$/);
  await second.value('release', { object: pipeline });

  const third = await RawRpc.open(server.url);
  const refused = await third.call('connect', { sessionId: 'no-such-session' });
  assert.deepEqual(refused.error, { code: 40007, message: 'Invalid session: no-such-session', data: { type: 'INVALID_SESSION' } });
  await second.value('closeSession');
  await second.close();
  await third.close();
});

test('a disconnected session keeps its objects for the grace period, then they are released', async () => {
  const short = await startServer({ sessionGraceMs: 300 });
  try {
    const rpc = await RawRpc.open(short.url);
    await rpc.value('create', { type: 'MediaPipeline' });
    await rpc.close();
    assert.equal(short.registry.pipelines().length, 1, 'kept during the grace period');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(short.registry.pipelines().length, 0, 'released after it');
    assert.deepEqual(short.sessions.sessionIds(), []);
  } finally {
    await short.stop();
  }
});

test('closeSession releases what only that session held; ref keeps an object alive for another session', async () => {
  const a = await RawRpc.open(server.url);
  const b = await RawRpc.open(server.url);
  const kept = await a.value<string>('create', { type: 'MediaPipeline' });
  const dropped = await a.value<string>('create', { type: 'MediaPipeline' });
  await b.value('ping');
  await b.call('describe', { object: kept });
  assert.deepEqual((await b.call('ref', { object: kept })).result, { sessionId: b.sessionId });
  await a.value('closeSession');
  const ids = server.registry.pipelines().map((p) => p.id);
  assert.ok(ids.includes(kept) && !ids.includes(dropped));
  await b.value('unref', { object: kept });
  await b.value('release', { object: kept });
  await a.close();
  await b.close();
});

test('a frame larger than maxMessageBytes closes that socket only', async () => {
  const small = await startServer({ maxMessageBytes: 4096 });
  try {
    const bystander = await RawRpc.open(small.url);
    const abuser = await RawRpc.open(small.url);
    const closed = new Promise<number>((resolve) => abuser.socket.once('close', (code) => resolve(code)));
    abuser.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(10_000) } }));
    assert.equal(await closed, 1009);
    assert.equal((await bystander.call('ping')).result?.['value'], 'pong');
    await bystander.close();
  } finally {
    await small.stop();
  }
});
