/** Media sockets stay inside the configured UDP port range and on the chosen addresses. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor, openUdpSockets } from '@kurento-ts/test-utils';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

test('every candidate of every endpoint uses a port in [minPort, maxPort]', async () => {
  const server = await startServer({ minPort: 41000, maxPort: 41019 });
  const rpc = await RawRpc.open(server.url);
  try {
    const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
    const ports: number[] = [];
    for (let i = 0; i < 5; i++) {
      const ep = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
      await rpc.value('subscribe', { object: ep, type: 'IceCandidateFound' });
      await rpc.value('subscribe', { object: ep, type: 'IceGatheringDone' });
      await rpc.invoke(ep, 'generateOffer');
      await rpc.invoke(ep, 'gatherCandidates');
      await waitFor('gathering done', () => rpc.notifications.filter((m) => m.params?.value.type === 'IceGatheringDone').length === i + 1);
    }
    for (const n of rpc.notifications.filter((m) => m.params?.value.type === 'IceCandidateFound')) {
      const line = String((n.params?.value.data['candidate'] as { candidate: string }).candidate);
      ports.push(Number(line.split(' ')[5]));
    }
    assert.ok(ports.length >= 5, `candidates found: ${ports.length}`);
    for (const port of ports) assert.ok(port >= 41000 && port <= 41019, `port ${port} in range`);
    assert.equal(new Set(ports).size, ports.length, 'each endpoint its own port');
    // One socket per endpoint: only the chosen address is gathered (werift alone would also
    // gather the machine's other addresses).
    assert.equal(openUdpSockets().length, 5);
    await rpc.value('release', { object: pipeline });
  } finally {
    await rpc.close();
    await server.stop();
  }
});
