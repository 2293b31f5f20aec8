/**
 * Everything given back: thousands of endpoint lifecycles and hundreds of real ICE/DTLS sessions
 * (libdatachannel peers) leave file descriptors, UDP sockets, timers and objects where they were,
 * and memory within a stated tolerance. Short by default; `npm run soak` runs the long forms
 * (LEAK_CYCLES=10000, LEAK_SESSIONS=500).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import { NdcPeers } from '../helpers/ndcPeers.js';
import { describeResources, processResources, type ProcessResources } from '../helpers/resources.js';
import { RawRpc, type Message } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

const CYCLES = Number(process.env['LEAK_CYCLES'] ?? 300);
const SESSIONS = Number(process.env['LEAK_SESSIONS'] ?? 20);
const BATCH = 10;

interface Resources extends ProcessResources {
  objects: number;
}

let server: MediaServer;
let rpc: RawRpc;
let peers: NdcPeers;
before(async () => {
  server = await startServer({ maxRequestsPerSecond: 0 });
  rpc = await RawRpc.open(server.url);
  peers = new NdcPeers();
});
after(async () => {
  await peers.close();
  await rpc.close();
  await server.stop();
});

async function resources(): Promise<Resources> {
  return { ...(await processResources()), objects: server.registry.size };
}

/** Asserts nothing countable leaked and memory grew less than `heapMb`/`rssMb`. */
function assertGivenBack(before: Resources, after: Resources, tolerance: { heapMb: number; rssMb: number }): void {
  assert.equal(after.objects, before.objects, 'media objects');
  assert.equal(after.udpSockets, before.udpSockets, 'UDP sockets');
  assert.ok(after.fds <= before.fds + 2, `file descriptors: ${before.fds} → ${after.fds}`);
  assert.ok(after.timers <= before.timers + 2, `timers: ${before.timers} → ${after.timers}`);
  assert.ok(after.heapMb - before.heapMb < tolerance.heapMb, `heap grew ${(after.heapMb - before.heapMb).toFixed(1)} MB (tolerance ${tolerance.heapMb})`);
  assert.ok(after.rssMb - before.rssMb < tolerance.rssMb, `RSS grew ${(after.rssMb - before.rssMb).toFixed(1)} MB (tolerance ${tolerance.rssMb})`);
}

const describe = (r: Resources) => `${describeResources(r)}, ${r.objects} objects`;

test(`${CYCLES} cycles of pipeline → WebRtcEndpoint → processOffer → release give everything back`, async (t) => {
  const peer = peers.open();
  const offer = await peer.offer;
  peer.close();
  const cycle = async () => {
    const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
    const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
    await rpc.invoke(endpoint, 'connect', { sink: endpoint });
    const answer = await rpc.invoke<string>(endpoint, 'processOffer', { offer });
    assert.match(answer, /^v=0/);
    await rpc.value('release', { object: pipeline });
  };
  for (let i = 0; i < 30; i++) await cycle(); // warm-up: JIT, pools, first allocations
  const baseline = await resources();
  const started = performance.now();
  for (let i = 0; i < CYCLES; i++) await cycle();
  const elapsed = performance.now() - started;
  const end = await resources();
  t.diagnostic(`${CYCLES} cycles in ${(elapsed / 1000).toFixed(1)} s; before: ${describe(baseline)}; after: ${describe(end)}`);
  assertGivenBack(baseline, end, { heapMb: 4, rssMb: 40 });
});

test('a pipeline released while its endpoint’s processOffer or generateOffer is under way: the call answers 40101 or an SDP, and nothing of the endpoint stays open', async (t) => {
  const peer = peers.open();
  const offer = await peer.offer;
  peer.close();
  const baseline = await resources();
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 20; i++) {
    const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
    const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
    // Sent back to back: the release arrives while the negotiation opens its sockets (or before its turn).
    const negotiating = i % 2 === 0 ? rpc.invoke<string>(endpoint, 'processOffer', { offer }) : rpc.invoke<string>(endpoint, 'generateOffer', {});
    const releasing = rpc.value('release', { object: pipeline });
    const outcome = await negotiating.then(
      (sdp) => (assert.match(sdp, /^v=0/), 'an SDP'),
      (e: Error) => (assert.match(e.message, /released|not found/i), '40101'),
    );
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    await releasing;
  }
  t.diagnostic(`answers: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  assert.ok((outcomes.get('40101') ?? 0) > 0, 'the release overtook some negotiations');
  await waitFor('the sockets and timers given back', async () => {
    const now = await resources();
    return now.udpSockets === baseline.udpSockets && now.timers <= baseline.timers + 2 && now.objects === baseline.objects ? now : null;
  }, 5000, 100);
});

test(`${SESSIONS} real ICE/DTLS sessions from libdatachannel peers, opened and closed, give everything back`, async (t) => {
  const events = new Map<string, (m: Message) => void>();
  rpc.onNotification = (m) => events.get(m.params?.value.object ?? '')?.(m);
  const session = async () => {
    const peer = peers.open();
    const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
    const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
    try {
      await rpc.invoke(endpoint, 'connect', { sink: endpoint });
      events.set(endpoint, (m) => {
        const c = m.params?.value.data['candidate'] as { candidate: string; sdpMid: string } | undefined;
        if (c) peer.addRemoteCandidate(c.candidate, c.sdpMid);
      });
      await rpc.value('subscribe', { object: endpoint, type: 'IceCandidateFound' });
      peer.onCandidate((candidate, sdpMid) => void rpc.invoke(endpoint, 'addIceCandidate', { candidate: { __module__: 'kurento', __type__: 'IceCandidate', candidate, sdpMid, sdpMLineIndex: 0 } }));
      peer.answer(await rpc.invoke<string>(endpoint, 'processOffer', { offer: await peer.offer }));
      await rpc.invoke(endpoint, 'gatherCandidates');
      await peer.connected();
    } finally {
      peer.close();
      events.delete(endpoint);
      await rpc.value('release', { object: pipeline });
    }
  };
  await Promise.all([session(), session()]); // warm-up
  const baseline = await resources();
  const started = performance.now();
  for (let i = 0; i < SESSIONS; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, SESSIONS - i) }, session));
  }
  const elapsed = performance.now() - started;
  await waitFor('the media sockets and timers given back', async () => {
    const now = await resources();
    return now.udpSockets === baseline.udpSockets && now.timers <= baseline.timers;
  }, 5000, 250);
  const end = await resources();
  t.diagnostic(`${SESSIONS} sessions connected and closed in ${(elapsed / 1000).toFixed(1)} s; before: ${describe(baseline)}; after: ${describe(end)}`);
  assertGivenBack(baseline, end, { heapMb: 4, rssMb: 40 });
});
