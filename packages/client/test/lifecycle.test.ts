/** close() against the real server: nothing of the client outlives it; closeSession ends the session at once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KurentoClient } from '../src/index.js';
import { assertNoLeaks, handles, sleep, startServer } from './helpers.js';

test('after close() no socket or timer of the client is left, whatever it was doing', async () => {
  const server = await startServer();
  const before = handles();
  const kurento = await KurentoClient.connect(server.url, { pingIntervalMs: 50 });
  const pipeline = await kurento.createMediaPipeline();
  const ep = await pipeline.create('WebRtcEndpoint');
  await ep.on('IceCandidateFound', () => undefined);
  await ep.generateOffer();
  await ep.gatherCandidates();
  await sleep(150); // a few pings go by
  await pipeline.release();
  const slow = (await kurento.getServerManager()).getUsedCpu(300).then(String, (e: Error) => e.message); // in flight at close
  await kurento.close();
  assert.match(await slow, /closed/);
  await assertNoLeaks(before);
  assert.equal(server.connections, 0);
  await server.stop();
});

test('close({ closeSession: true }) releases the session\'s objects now; a plain close leaves them to the grace period', async () => {
  const server = await startServer();
  const kurento = await KurentoClient.connect(server.url);
  await kurento.createMediaPipeline();
  const kept = await KurentoClient.connect(server.url);
  await kept.createMediaPipeline();
  assert.equal(server.registry.size, 3);
  await kurento.close({ closeSession: true });
  assert.equal(server.registry.size, 2, 'the closed session\'s pipeline is gone');
  await kept.close();
  assert.equal(server.registry.size, 2, 'a plain close keeps the session for a resume');
  await server.stop();
});
