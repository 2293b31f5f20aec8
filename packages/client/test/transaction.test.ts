/**
 * Transactions: one `transaction` request whose later operations name objects created earlier
 * as `newref:N`; per-operation results; the server stopping at the first failure.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaServer } from '@kurento-ts/media-server';
import { KurentoClient, MediaPipeline, PassThrough, TxRef, WebRtcEndpoint } from '../src/index.js';
import { FakeServer, rejectsWith, startServer } from './helpers.js';

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

test('the wire: one transaction request, newref:N for objects created earlier in it', async () => {
  const fake = await FakeServer.start((frame) =>
    frame.method === 'ping'
      ? { result: { value: 'pong' } }
      : { result: { value: [{ result: { value: 'p_kurento.MediaPipeline' } }, { result: { value: 'p_kurento.MediaPipeline/e_kurento.WebRtcEndpoint' } }, { result: {} }, { result: { value: 'n' } }], sessionId: 's' } },
  );
  const client = await KurentoClient.connect(fake.url, { pingIntervalMs: 0 });
  try {
    const tx = client.beginTransaction();
    const pipeline = tx.create('MediaPipeline');
    const ep = tx.create('WebRtcEndpoint', { mediaPipeline: pipeline, recvonly: true }, { name: 'ep' });
    const connected = tx.invoke(ep, 'connect', ep, 'VIDEO');
    const name = tx.invoke(ep, 'getName');
    assert.equal(tx.size, 4);
    await tx.commit();
    assert.deepEqual(fake.calls('transaction').map((f) => f.params), [
      {
        operations: [
          { method: 'create', params: { type: 'MediaPipeline', constructorParams: {}, properties: {} } },
          { method: 'create', params: { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: 'newref:0', recvonly: true }, properties: { name: 'ep' } } },
          { method: 'invoke', params: { object: 'newref:1', operation: 'connect', operationParams: { sink: 'newref:1', mediaType: 'VIDEO' } } },
          { method: 'invoke', params: { object: 'newref:1', operation: 'getName' } },
        ],
      },
    ]);
    assert.equal(await connected, undefined);
    assert.equal(await name, 'n');
    assert.equal((await ep.object).id, 'p_kurento.MediaPipeline/e_kurento.WebRtcEndpoint');
  } finally {
    await client.close();
    await fake.close();
  }
});

test('a pipeline, two elements, a connection and properties in one commit; results per operation', async () => {
  const tx = kurento.beginTransaction();
  const pipelineRef = tx.create('MediaPipeline');
  const epRef = tx.create('WebRtcEndpoint', { mediaPipeline: pipelineRef });
  const ptRef = tx.create('PassThrough', { mediaPipeline: pipelineRef }, { name: 'relay' });
  assert.ok(epRef instanceof TxRef);
  assert.equal(epRef.index, 1);
  assert.equal(epRef.className, 'WebRtcEndpoint');
  const connect = tx.invoke(epRef, 'connect', ptRef);
  const setName = tx.invoke(epRef, 'setName', 'caller');
  const name = tx.invoke(epRef, 'getName');
  const ptName = tx.invoke(ptRef, 'getName');
  const sinks = tx.invoke(epRef, 'getSinkConnections', 'VIDEO');
  const parent = tx.invoke(ptRef, 'getMediaPipeline');
  const objectsBefore = server.registry.size;
  await tx.commit();
  assert.equal(server.registry.size, objectsBefore + 3);

  const [pipeline, ep, pt] = await Promise.all([pipelineRef.object, epRef.object, ptRef.object]);
  assert.ok(pipeline instanceof MediaPipeline && ep instanceof WebRtcEndpoint && pt instanceof PassThrough);
  assert.equal(await connect, undefined);
  assert.equal(await setName, undefined);
  assert.equal(await name, 'caller');
  assert.equal(await ptName, 'relay');
  assert.deepEqual((await sinks).map((c) => [c.source, c.sink, c.type]), [[ep, pt, 'VIDEO']]);
  assert.equal(await parent, pipeline);
  // The proxies are ordinary ones now.
  assert.equal(await ep.getName(), 'caller');
  assert.deepEqual(new Set(await pipeline.getChildren()), new Set([ep, pt]));

  // Existing proxies mix with references; release inside a transaction.
  const tx2 = kurento.beginTransaction();
  const extra = tx2.create('PassThrough', { mediaPipeline: pipeline });
  tx2.invoke(pt, 'connect', extra);
  const released = tx2.release(ep);
  await tx2.commit();
  await released;
  assert.ok(ep.released);
  assert.deepEqual((await pt.getSinkConnections()).map((c) => c.sink), [await extra.object, await extra.object, await extra.object]);
  await pipeline.release();
});

test('the first failure rejects commit() and its operation; later operations are aborted, earlier ones stand', async () => {
  const tx = kurento.beginTransaction();
  const pipelineRef = tx.create('MediaPipeline');
  const ok = tx.invoke(pipelineRef, 'setName', 'kept');
  const bad = tx.invoke(pipelineRef, 'getChildren');
  const tag = tx.invoke(pipelineRef, 'getTag', 'missing');
  const never = tx.invoke(pipelineRef, 'setName', 'never');
  const error = await rejectsWith(tx.commit(), 40110, 'MEDIA_OBJECT_TAG_KEY_NOT_FOUND');
  assert.equal(await tag.catch((e: unknown) => e), error);
  await rejectsWith(never, 0, 'TRANSACTION_ABORTED');
  assert.equal(await ok, undefined);
  assert.deepEqual(await bad, []);
  const pipeline = await pipelineRef.object;
  assert.equal(await pipeline.getName(), 'kept', 'operations before the failure ran');
  await pipeline.release();
});

test('misuse: references of another transaction, committing twice, recording after commit; empty commits are free', async () => {
  const one = kurento.beginTransaction();
  const two = kurento.beginTransaction();
  const ref = one.create('MediaPipeline');
  assert.throws(() => two.create('PassThrough', { mediaPipeline: ref }), TypeError);
  await one.commit();
  await assert.rejects(one.commit(), /already committed/);
  assert.throws(() => one.create('MediaPipeline'), /already committed/);
  assert.equal(two.size, 0, 'the refused operation was not recorded');
  await two.commit(); // nothing to send
  const failed = kurento.beginTransaction();
  const orphan = failed.create('PassThrough', { mediaPipeline: 'gone_kurento.MediaPipeline' as unknown as MediaPipeline });
  await rejectsWith(failed.commit(), 40101, 'MEDIA_OBJECT_NOT_FOUND');
  await rejectsWith(orphan.object, 40101, 'MEDIA_OBJECT_NOT_FOUND');
  await (await ref.object).release();
});
