/**
 * Every budget over the raw protocol, with small budgets: the exact refusal (40009, naming the
 * budget and its flag, or HTTP 503 for a WebSocket), nothing made by a refused call, other
 * clients untouched, the ServerManager's report and the log's warnings. Clients are told apart
 * by the loopback address they connect from (127.0.0.x).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { KurentoClient } from '@kurento-ts/client';
import type { MediaServer, ServerConfig } from '../../src/index.js';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';
import { openUdpSockets } from '@kurento-ts/test-utils';

const refusal = (message: string) => ({ code: 40009, message, data: { type: 'NOT_ENOUGH_RESOURCES' } });

/** Opens a raw client from a loopback address. */
const from = (server: MediaServer, address: string, query = ''): Promise<RawRpc> => RawRpc.open(`${server.url}${query}`, { localAddress: address });

/** The status and body of a refused upgrade, or 101 when the socket opens. */
function upgrade(url: string, options: WebSocket.ClientOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

/** Runs `body` with a server of these budgets, closing every client it opened. */
async function withServer(config: Partial<ServerConfig>, body: (server: MediaServer, clients: RawRpc[]) => Promise<void>): Promise<void> {
  const server = await startServer({ sessionGraceMs: 60_000, ...config });
  const clients: RawRpc[] = [];
  try {
    await body(server, clients);
  } finally {
    for (const c of clients) await c.close();
    await server.stop();
  }
}

/** What a server-side count should read, by the budget's option name. */
const used = (server: MediaServer, budget: string): number | undefined => server.budgets().find((b) => b.budget === budget)?.used;

const udpSockets = () => openUdpSockets().length;
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('sessions per client: held sessions, in their grace period too, count against their address; other addresses go on', async () => {
  await withServer({ maxSessionsPerClient: 2 }, async (server, clients) => {
    for (let i = 0; i < 2; i++) {
      const rpc = await from(server, '127.0.0.2');
      assert.equal(typeof (await rpc.call('connect')).result?.['sessionId'], 'string');
      await rpc.drop(); // abandoned: still counts
    }
    const third = await from(server, '127.0.0.2');
    clients.push(third);
    assert.deepEqual((await third.call('connect')).error, refusal('Client budget reached: 127.0.0.2 holds 2 of 2 sessions (--max-sessions-per-client)'));
    assert.deepEqual((await third.call('create', { type: 'MediaPipeline' })).error?.code, 40009, 'any request that would open a session');
    assert.equal(server.sessions.sessionIds().length, 2, 'no session was opened for the refused client');
    const other = await from(server, '127.0.0.3');
    clients.push(other);
    assert.match(await other.value<string>('create', { type: 'MediaPipeline' }), /_kurento\.MediaPipeline$/);
  });
});

test('WebSockets per client and in all: the upgrade past the budget is refused with 503 naming it', async () => {
  await withServer({ maxSessionsPerClient: 2, maxSessions: 3 }, async (server, clients) => {
    clients.push(await from(server, '127.0.0.2'), await from(server, '127.0.0.2'));
    assert.deepEqual(await upgrade(server.url, { localAddress: '127.0.0.2' }), { status: 503, body: 'Client budget reached: 127.0.0.2 holds 2 of 2 sessions (--max-sessions-per-client)' });
    clients.push(await from(server, '127.0.0.3'));
    assert.deepEqual(await upgrade(server.url, { localAddress: '127.0.0.4' }), { status: 503, body: 'Server budget reached: 3 of 3 sessions in use (--max-sessions)' });
    await clients.shift()?.close();
    await waitForCount(() => server.connections, 2);
    assert.equal((await upgrade(server.url, { localAddress: '127.0.0.4' })).status, 101, 'a socket closed makes room');
  });
});

test('sessions in all: past maxSessions, the request that would open one is refused', async () => {
  await withServer({ maxSessions: 2 }, async (server, clients) => {
    const a = await from(server, '127.0.0.2');
    const b = await from(server, '127.0.0.3');
    clients.push(a, b);
    await a.call('connect');
    await b.call('connect');
    await a.drop();
    await waitForCount(() => server.connections, 1);
    const c = await from(server, '127.0.0.4');
    assert.deepEqual((await c.call('connect')).error, refusal('Server budget reached: 2 of 2 sessions in use (--max-sessions)'));
    await c.close();
    await waitForCount(() => server.connections, 1);
    // Resuming a session is not opening one.
    const resumed = await from(server, '127.0.0.2');
    clients.push(resumed);
    assert.equal((await resumed.call('connect', { sessionId: a.sessionId })).result?.['sessionId'], a.sessionId);
  });
});

test('pipelines, endpoints and objects in all, and objects per client: each refused create names its budget and makes nothing', async () => {
  await withServer({ maxPipelines: 2, maxEndpoints: 2, maxObjects: 5, maxObjectsPerClient: 4 }, async (server, clients) => {
    const a = await from(server, '127.0.0.2');
    const b = await from(server, '127.0.0.3');
    clients.push(a, b);
    const p1 = await a.value<string>('create', { type: 'MediaPipeline' });
    await a.value('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: p1 } });
    await a.value('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: p1 } });
    const objects = server.registry.size;
    assert.deepEqual((await b.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: p1 } })).error, refusal('Server budget reached: 2 of 2 endpoints in use (--max-endpoints)'));
    await a.value('create', { type: 'PassThrough', constructorParams: { mediaPipeline: p1 } });
    assert.deepEqual((await a.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: p1 } })).error, refusal('Client budget reached: 127.0.0.2 holds 4 of 4 media objects (--max-objects-per-client)'));
    const p2 = await b.value<string>('create', { type: 'MediaPipeline' });
    assert.deepEqual((await b.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: p2 } })).error, refusal('Server budget reached: 5 of 5 media objects in use (--max-objects)'));
    assert.equal(server.registry.size, objects + 2, 'only the PassThrough and the pipeline admitted were made');
    // Released objects make room again, and no longer count against their creator.
    await a.value('release', { object: p1 });
    assert.equal(used(server, 'maxObjectsPerClient'), 1, 'the busiest client is now b, with its pipeline');
    assert.match(await a.value<string>('create', { type: 'MediaPipeline' }), /MediaPipeline$/);
    assert.deepEqual((await b.call('create', { type: 'MediaPipeline' })).error, refusal('Server budget reached: 2 of 2 pipelines in use (--max-pipelines)'));
  });
});

test('objects per client count what its abandoned sessions still hold; inside a transaction too', async () => {
  await withServer({ maxObjectsPerClient: 3 }, async (server, clients) => {
    const first = await from(server, '127.0.0.2');
    await first.value('create', { type: 'MediaPipeline' });
    await first.value('create', { type: 'MediaPipeline' });
    await first.drop();
    const second = await from(server, '127.0.0.2');
    clients.push(second);
    const results = await second.value<{ result?: { value: string }; error?: unknown }[]>('transaction', {
      operations: [{ method: 'create', params: { type: 'MediaPipeline' } }, { method: 'create', params: { type: 'PassThrough', constructorParams: { mediaPipeline: 'newref:0' } } }],
    });
    assert.match(results[0]?.result?.value ?? '', /MediaPipeline$/);
    assert.deepEqual(results[1], { error: refusal('Client budget reached: 127.0.0.2 holds 3 of 3 media objects (--max-objects-per-client)') });
    assert.equal(server.registry.pipelines().length, 3);
  });
});

test('media UDP sockets in all: generateOffer past the budget is refused and opens nothing; a released endpoint gives its socket back', async () => {
  for (const mediaWorkers of [0, 2]) {
    await withServer({ maxUdpSockets: 2, mediaWorkers }, async (server, clients) => {
      const rpc = await from(server, '127.0.0.2');
      clients.push(rpc);
      const endpoints: string[] = [];
      // Two pipelines: with workers, one on each, drawing on the same budget.
      for (let i = 0; i < 3; i++) {
        const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
        endpoints.push(await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } }));
      }
      const [e1 = '', e2 = '', e3 = ''] = endpoints;
      await rpc.invoke(e1, 'generateOffer');
      await rpc.invoke(e2, 'generateOffer');
      if (mediaWorkers > 0) assert.deepEqual(server.hostLoad().map((h) => h.udpSockets), [0, 1, 1], 'one socket on each worker');
      const [sockets, pending] = [udpSockets(), timers()];
      const refused = await rpc.call('invoke', { object: e3, operation: 'generateOffer' });
      assert.deepEqual(refused.error, refusal('Server budget reached: 2 of 2 media UDP sockets in use (--max-udp-sockets)'), `mediaWorkers ${mediaWorkers}`);
      assert.deepEqual([udpSockets(), timers()], [sockets, pending], 'no socket, no timer');
      assert.deepEqual((await rpc.call('invoke', { object: e3, operation: 'getLocalSessionDescriptor' })).error?.code, 40202, 'no local description either');
      await rpc.value('release', { object: e1 });
      assert.equal(used(server, 'maxUdpSockets'), 1);
      assert.match(await rpc.invoke<string>(e3, 'generateOffer'), /^v=0/, 'the refused endpoint negotiates once there is room');
      assert.equal(used(server, 'maxUdpSockets'), 2);
    });
  }
});

test('the ServerManager reports every budget with its use', async () => {
  const budgets = { maxSessions: 10, maxPipelines: 9, maxEndpoints: 8, maxObjects: 7, maxUdpSockets: 6, maxSessionsPerClient: 5, maxObjectsPerClient: 4 };
  await withServer(budgets, async (server, clients) => {
    const rpc = await from(server, '127.0.0.2');
    clients.push(rpc);
    const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
    const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
    await rpc.invoke(endpoint, 'generateOffer');
    const entry = (budget: string, used: number, limit: number) => ({ __module__: 'kurento', __type__: 'ResourceBudget', budget, used, limit });
    assert.deepEqual(await rpc.invoke('manager_ServerManager', 'getBudgets'), [
      entry('maxSessions', 1, 10), entry('maxPipelines', 1, 9), entry('maxEndpoints', 1, 8), entry('maxObjects', 2, 7),
      entry('maxUdpSockets', 1, 6), entry('maxSessionsPerClient', 1, 5), entry('maxObjectsPerClient', 2, 4),
    ]);
    // The typed SDK reads it too (its types come from the schema).
    const kurento = await KurentoClient.connect(server.url, { reconnect: false, pingIntervalMs: 0 });
    try {
      const report = await (await kurento.getServerManager()).getBudgets();
      assert.deepEqual(report.find((b) => b.budget === 'maxSessions'), { budget: 'maxSessions', used: 2, limit: 10 });
    } finally {
      await kurento.close();
    }
  });
});

test('a budget 80 % used, and one used up, are each logged once', async () => {
  const lines = await capturingStderr(() =>
    withServer({ maxPipelines: 5, logLevel: 'warn' }, async (server, clients) => {
      const rpc = await from(server, '127.0.0.2');
      clients.push(rpc);
      for (let i = 0; i < 5; i++) await rpc.value('create', { type: 'MediaPipeline' });
      assert.equal((await rpc.call('create', { type: 'MediaPipeline' })).error?.code, 40009);
    }),
  );
  const warnings = lines.filter((l) => l.includes('pipelines'));
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /WARN .*Budget 80 % used: the server holds 4 of 5 pipelines \(--max-pipelines\)/);
  assert.match(warnings[1] ?? '', /WARN .*Budget used up: further requests are refused: the server holds 5 of 5 pipelines \(--max-pipelines\)/);
});

test('several tokens: each is a client of its own, whatever address it comes from; one shared token tells clients apart by address only', async () => {
  await withServer({ authToken: 'alpha,beta', maxSessionsPerClient: 1 }, async (server, clients) => {
    const a = await from(server, '127.0.0.2', '?access_token=alpha');
    clients.push(a);
    await a.call('connect');
    assert.deepEqual(await upgrade(`${server.url}?access_token=alpha`, { localAddress: '127.0.0.3' }), { status: 503, body: 'Client budget reached: token #1 holds 1 of 1 sessions (--max-sessions-per-client)' });
    assert.equal((await upgrade(`${server.url}?access_token=beta`, { localAddress: '127.0.0.3' })).status, 101);
    assert.equal((await upgrade(`${server.url}?access_token=gamma`, { localAddress: '127.0.0.3' })).status, 401);
  });
  await withServer({ authToken: 'alpha', maxSessionsPerClient: 1 }, async (server, clients) => {
    clients.push(await from(server, '127.0.0.2', '?access_token=alpha'));
    assert.equal((await upgrade(`${server.url}?access_token=alpha`, { localAddress: '127.0.0.3' })).status, 101);
  });
});

/** Waits until `read` returns `value` (bounded). */
async function waitForCount(read: () => number, value: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (read() !== value && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(read(), value);
}

/** Runs `body` and returns the lines it wrote to stderr (the log's warnings go there). */
async function capturingStderr(body: () => Promise<void>): Promise<string[]> {
  const write = process.stderr.write.bind(process.stderr);
  const lines: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    return true;
  }) as typeof process.stderr.write;
  try {
    await body();
  } finally {
    process.stderr.write = write;
  }
  return lines;
}
