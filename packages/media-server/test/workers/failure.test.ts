/**
 * A media worker that dies takes only its own pipelines with it: they are reported released
 * (ObjectDestroyed, then MEDIA_OBJECT_NOT_FOUND), the other worker's pipelines and the control
 * plane keep serving, and a replacement worker takes new pipelines.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

let server: MediaServer;
let rpc: RawRpc;
before(async () => {
  server = await startServer({ mediaWorkers: 2, logLevel: 'silent' });
  rpc = await RawRpc.open(server.url);
});
after(async () => {
  await rpc.close();
  await server.stop();
});

test('a killed worker: its pipeline is released, the other still answers, a new pipeline can be created', async () => {
  const doomed = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const survivor = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const element = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: doomed } });
  assert.match(await rpc.invoke<string>(element, 'generateOffer'), /^v=0/);
  await rpc.value('subscribe', { object: 'manager_ServerManager', type: 'ObjectDestroyed' });
  assert.deepEqual(server.hostLoad().map((h) => h.objects), [1, 2, 1], 'worker 1 holds the doomed pipeline and its endpoint');
  assert.deepEqual(server.hostLoad().map((h) => h.udpSockets), [0, 1, 0], 'and the endpoint\'s socket');
  const [first, second] = server.workerThreads;
  assert.ok(first && second);

  await first.terminate();
  const destroyed = await waitFor('ObjectDestroyed of both objects', () => {
    const ids = rpc.notifications.filter((n) => n.params?.value.type === 'ObjectDestroyed').map((n) => n.params?.value.data['objectId']);
    return ids.length === 2 ? ids : null;
  }, 5000);
  assert.deepEqual(destroyed, [element, doomed], 'children first, as a release reports them');
  const gone = await rpc.call('invoke', { object: doomed, operation: 'getName' });
  assert.deepEqual(gone.error, { code: 40101, message: `Object '${doomed}' not found`, data: { type: 'MEDIA_OBJECT_NOT_FOUND' } });
  assert.deepEqual((await rpc.call('invoke', { object: element, operation: 'getName' })).error?.code, 40101);

  assert.equal(await rpc.invoke(survivor, 'getName'), survivor, 'the other worker still answers');
  assert.deepEqual(await rpc.invoke('manager_ServerManager', 'getPipelines'), [survivor]);
  assert.equal(server.workerThreads.length, 2, 'a replacement worker was started');
  assert.equal(server.workerThreads[1], second);
  assert.notEqual(server.workerThreads[0], first);

  const fresh = await rpc.value<string>('create', { type: 'MediaPipeline' });
  assert.deepEqual(server.hostLoad(), [{ host: 'main', objects: 1, udpSockets: 0 }, { host: 'worker 3', objects: 1, udpSockets: 0 }, { host: 'worker 2', objects: 1, udpSockets: 0 }], 'the new pipeline went to the replacement, and the dead worker\'s socket went back to the budget');
  assert.equal(server.budgets().find((b) => b.budget === 'maxUdpSockets')?.used, 0);
  assert.match(await rpc.invoke<string>(await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: fresh } }), 'generateOffer'), /^v=0/);
  assert.equal((await rpc.call('ping')).result?.['value'], 'pong');
  await rpc.value('release', { object: fresh });
  await rpc.value('release', { object: survivor });
});

test('a request in flight when its worker dies is answered (its result, or UNEXPECTED_ERROR), never left waiting', async () => {
  const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const worker = server.workerThreads[server.hostLoad().findIndex((h) => h.host !== 'main' && h.objects === 1) - 1];
  assert.ok(worker);
  const slow = rpc.call('invoke', { object: 'manager_ServerManager', operation: 'getUsedCpu', operationParams: { interval: 1 } });
  const pending = rpc.call('invoke', { object: pipeline, operation: 'getName' });
  await worker.terminate();
  const answer = await pending;
  // The answer may have come back before the thread ended; if not, it is a Kurento error.
  if (answer.error) assert.deepEqual(answer.error.data, { type: 'UNEXPECTED_ERROR' });
  else assert.equal(answer.result?.['value'], pipeline);
  assert.equal(typeof (await slow).result?.['value'], 'number', 'the ServerManager, in the main thread, was not disturbed');
});
