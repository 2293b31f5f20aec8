/**
 * Issue 17's attack, as a hostile user runs it: many sessions from one client, each filled to
 * its cap with WebRtcEndpoints that generateOffer (one UDP socket each), dropped without
 * release. It is refused at the per-client budget; from several clients, at the server-wide
 * one; the server's descriptors stay within the budget and its memory bounded, and a client
 * that comes after it (127.0.0.1, the official kurento-client with Chromium) still negotiates
 * and gets media. After the grace period everything is back where it was; endpoints that never
 * connect give their sockets back early. Clients are told apart by their loopback address.
 *
 * Short by default; `npm run soak` runs the issue's scale (BUDGET_SESSION_OBJECTS=1000: 1,000
 * objects per session, per-client budgets of 3,000 objects, BUDGET_PRESSURE_GRACE_MS=90000).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kurentoClient from 'kurento-client';
import { launchChromium, serve, waitFor, type Browser, type Site, openUdpSockets } from '@kurento-ts/test-utils';
import type { MediaServer, ServerConfig } from '../../src/index.js';
import { LOOPBACK_PAGE, startBrowserLoopback } from '../helpers/browserLoopback.js';
import { NdcPeers, type RemotePeer } from '../helpers/ndcPeers.js';
import { describeResources, processResources } from '../helpers/resources.js';
import { RawRpc, type Message } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

/** Objects one session may hold (the issue: 1,000). */
const SESSION_OBJECTS = Number(process.env['BUDGET_SESSION_OBJECTS'] ?? 20);
/** Sessions each attacking client opens in a row (the issue: 21). */
const ATTACK_SESSIONS = 21;
/** The negotiation timeout of the lazy-sockets test. */
const TIMEOUT_MS = 4000;
/** The grace period of the test of what is left after it. */
const GRACE_MS = Math.max(10_000, SESSION_OBJECTS * 120);
/** How long abandoned sessions are kept while a budget is 80 % used, in the several-clients test. */
const PRESSURE_GRACE_MS = Number(process.env['BUDGET_PRESSURE_GRACE_MS'] ?? 3000);

/** Budgets in proportion to the session cap: a client may fill three sessions, the server about two and a half clients. */
const budgets: Partial<ServerConfig> = {
  maxRequestsPerSecond: 0,
  maxObjectsPerSession: SESSION_OBJECTS,
  maxObjectsPerClient: 3 * SESSION_OBJECTS,
  maxSessionsPerClient: 6,
  maxSessions: 60,
  maxPipelines: 100,
  maxEndpoints: Math.round(7.5 * SESSION_OBJECTS),
  maxObjects: 12 * SESSION_OBJECTS,
  maxUdpSockets: 8 * SESSION_OBJECTS,
};

let browser: Browser;
let page: Site;
before(async () => {
  browser = await launchChromium();
  page = await serve({ '/': LOOPBACK_PAGE });
});
after(async () => {
  await browser?.close();
  await page?.close();
});

/** What one attacking client achieved. */
interface AttackResult {
  /** Objects it created (and left behind). */
  created: number;
  /** Endpoints whose generateOffer opened a socket. */
  offered: number;
  /** Every refusal it got: its message (all were 40009, or a 503 upgrade). */
  refusals: string[];
  /** Its sessions that held something, in the order it dropped them, with when (performance.now()). */
  sessions: { id: string; droppedAt: number }[];
}

/** One client's attack: ATTACK_SESSIONS sessions, each filled to its cap with offering endpoints, dropped without release. */
async function attack(server: MediaServer, localAddress: string): Promise<AttackResult> {
  const result: AttackResult = { created: 0, offered: 0, refusals: [], sessions: [] };
  const refused = (m: Message): boolean => {
    if (!m.error) return false;
    assert.equal(m.error.code, 40009, `only budget refusals: ${JSON.stringify(m.error)}`);
    result.refusals.push(m.error.message);
    return true;
  };
  for (let s = 0; s < ATTACK_SESSIONS; s++) {
    let rpc: RawRpc;
    try {
      rpc = await RawRpc.open(server.url, { localAddress });
    } catch (e) {
      result.refusals.push(`upgrade: ${(e as Error).message}`);
      continue;
    }
    const pipeline = await rpc.call('create', { type: 'MediaPipeline' });
    const holds = !refused(pipeline);
    if (holds) {
      result.created++;
      for (;;) {
        const endpoint = await rpc.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline.result?.['value'] } });
        if (refused(endpoint)) break;
        result.created++;
        if (refused(await rpc.call('invoke', { object: endpoint.result?.['value'], operation: 'generateOffer' }))) break;
        result.offered++;
      }
    }
    await rpc.drop();
    if (holds && rpc.sessionId) result.sessions.push({ id: rpc.sessionId, droppedAt: performance.now() });
  }
  return result;
}

/** Counts refusals by message. */
const tally = (refusals: readonly string[]): Record<string, number> => refusals.reduce<Record<string, number>>((t, m) => ((t[m] = (t[m] ?? 0) + 1), t), {});

/** The call a Kurento application makes for a user arriving now, from 127.0.0.1: pipeline, endpoint, real Chromium peer; resolves once frames are decoded. */
async function aUserGetsMedia(server: MediaServer): Promise<number> {
  const kurento = await kurentoClient(server.url, { failAfter: 1, duplicates_timeout: 500 });
  const tab = await browser.context.newPage();
  try {
    const { pipeline } = await startBrowserLoopback(kurento, tab, page.url);
    const stats = await waitFor('decoded frames for the user arriving last', async () => {
      const s = await tab.evaluate(() => window.collect());
      return (s.video?.framesDecoded ?? 0) > 30 && (s.audio?.packetsReceived ?? 0) > 50 ? s : null;
    }, 15_000);
    await pipeline.release();
    return stats.video?.framesDecoded ?? 0;
  } finally {
    await tab.evaluate(() => window.hangUp()).catch(() => undefined);
    await tab.close();
    kurento.close();
  }
}

const use = (server: MediaServer, budget: string): number => server.budgets().find((b) => b.budget === budget)?.used ?? -1;

test(`one client, ${ATTACK_SESSIONS} sessions filled to ${SESSION_OBJECTS} objects and dropped: refused at its budget; the server stays within its own and serves the next user`, async (t) => {
  // No early release under pressure here: the attacker's sessions stay for the whole (2 min) grace period.
  const server = await startServer({ ...budgets, sessionGraceUnderPressureMs: 600_000, logLevel: 'error' });
  try {
    const baseline = await processResources();
    const started = performance.now();
    const result = await attack(server, '127.0.0.2');
    const held = await processResources();
    t.diagnostic(`attack: ${result.created} objects, ${result.offered} offers in ${((performance.now() - started) / 1000).toFixed(1)} s; refusals ${JSON.stringify(tally(result.refusals))}`);
    t.diagnostic(`before: ${describeResources(baseline)}; held: ${describeResources(held)}; per idle endpoint ${(((held.rssMb - baseline.rssMb) * 1024) / Math.max(result.offered, 1)).toFixed(0)} KB RSS`);

    const limit = 3 * SESSION_OBJECTS;
    assert.equal(result.created, limit, 'the client made exactly its budget of objects');
    assert.deepEqual(Object.keys(tally(result.refusals)).sort(), [
      `A session may hold at most ${SESSION_OBJECTS} objects (--max-objects-per-session)`,
      `Client budget reached: 127.0.0.2 holds 6 of 6 sessions (--max-sessions-per-client)`,
      `Client budget reached: 127.0.0.2 holds ${limit} of ${limit} media objects (--max-objects-per-client)`,
    ].sort());
    assert.equal(use(server, 'maxObjectsPerClient'), limit, 'its abandoned sessions still hold them');
    assert.equal(held.udpSockets - baseline.udpSockets, result.offered, 'one socket per offering endpoint');
    assert.equal(use(server, 'maxUdpSockets'), result.offered);
    assert.ok(held.fds - baseline.fds <= result.offered + 10, `descriptors: ${baseline.fds} → ${held.fds}, for ${result.offered} sockets`);
    assert.ok(held.rssMb - baseline.rssMb < 40 + limit / 4, `RSS grew ${(held.rssMb - baseline.rssMb).toFixed(0)} MB for ${limit} objects`);

    const frames = await aUserGetsMedia(server);
    t.diagnostic(`the next user: ${frames} frames decoded`);
    assert.equal(use(server, 'maxObjectsPerClient'), limit, 'the attack is still held (grace period) while the user plays');
  } finally {
    await server.stop();
  }
});

test('several clients up to the server-wide budget: refused there; the oldest abandoned sessions go first after the shortened grace, and the user arriving last gets media', async (t) => {
  // Sessions are not the scarce budget here (each attacker's 21 stay under 80 % of its own and the server's).
  const server = await startServer({ ...budgets, maxSessionsPerClient: 30, maxSessions: 200, sessionGraceUnderPressureMs: PRESSURE_GRACE_MS });
  const log = capturingStderr();
  try {
    const baseline = await processResources();
    const attackers = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
    const results = await Promise.all(attackers.map((address) => attack(server, address)));
    const held = await processResources();
    const refusals = tally(results.flatMap((r) => r.refusals));
    t.diagnostic(`attack from ${attackers.length} clients: ${results.map((r) => r.created).join(' + ')} objects; refusals ${JSON.stringify(refusals)}; held: ${describeResources(held)}`);
    const serverWide = Object.keys(refusals).filter((m) => m.startsWith('Server budget reached'));
    assert.ok(serverWide.length > 0 && serverWide.every((m) => /of \d+ (endpoints|media UDP sockets|media objects) in use \(--max-(endpoints|udp-sockets|objects)\)$/.test(m)), `refused at a server-wide budget: ${serverWide.join(' | ')}`);
    assert.ok(use(server, 'maxEndpoints') <= (budgets.maxEndpoints ?? 0) && use(server, 'maxUdpSockets') <= (budgets.maxUdpSockets ?? 0));
    assert.ok(held.udpSockets - baseline.udpSockets <= (budgets.maxUdpSockets ?? 0), `UDP sockets within the budget: ${held.udpSockets}`);
    assert.ok(held.fds - baseline.fds <= (budgets.maxUdpSockets ?? 0) + 10, `descriptors: ${baseline.fds} → ${held.fds}`);
    const abandoned = results.flatMap((r) => r.sessions).sort((a, b) => a.droppedAt - b.droppedAt);
    // A long attack sees its first sessions released while it runs: never one away for less than the shortened grace.
    const now = performance.now();
    for (const s of abandoned) if (now - s.droppedAt < PRESSURE_GRACE_MS - 50) assert.ok(server.sessions.get(s.id), `session away ${Math.round(now - s.droppedAt)} ms is still held`);

    // The user arriving last, once the shortened grace has run out for every abandoned session.
    const lastDrop = abandoned.at(-1)?.droppedAt ?? now;
    await new Promise((r) => setTimeout(r, Math.max(0, PRESSURE_GRACE_MS - (performance.now() - lastDrop)) + 200));
    const frames = await aUserGetsMedia(server);
    const released = abandoned.filter((s) => !server.sessions.get(s.id));
    t.diagnostic(`the user arriving last: ${frames} frames decoded; ${released.length} of ${abandoned.length} abandoned sessions released under pressure`);
    assert.ok(released.length > 0 && released.length < abandoned.length, 'some, not all, abandoned sessions were released early');
    for (const r of results) {
      const gone = r.sessions.map((s) => !server.sessions.get(s.id));
      assert.deepEqual(gone, [...gone].sort((a, b) => Number(b) - Number(a)), `each client's oldest sessions went first: ${gone.join(',')}`);
    }
    assert.ok(log.lines.some((l) => /WARN .*a budget is under pressure: releasing session .* of 127\.0\.0\.\d, disconnected \d+ ms ago \(--session-grace-under-pressure-ms \d+\)/.test(l)), 'each early release is logged');
    assert.ok(log.lines.some((l) => /WARN .*Budget 8\d % used: the server holds \d+ of \d+ (endpoints|media UDP sockets)/.test(l)), 'the 80 % warning was logged');
  } finally {
    log.restore();
    await server.stop();
  }
});

test('after the grace period nothing is left: descriptors, sockets, timers, objects and budgets back to where they were, real ICE/DTLS sessions included', async (t) => {
  // A grace period that outlasts the attack even on a busy machine (its objects take up to 10 ms each):
  // 10 s here, the real default of 2 min at the soak's scale.
  const server = await startServer({ ...budgets, sessionGraceMs: GRACE_MS, sessionGraceUnderPressureMs: 600_000, logLevel: 'error' });
  const peers = new NdcPeers();
  try {
    // Warm-up: JIT, pools, the DTLS certificate.
    const warm = await RawRpc.open(server.url);
    await connectPeer(warm, peers.open(), await warm.value<string>('create', { type: 'MediaPipeline' }));
    await warm.value('closeSession');
    await warm.close();
    await waitFor('the warm-up given back', () => server.registry.size === 1 && use(server, 'maxUdpSockets') === 0, 5000);
    const baseline = await processResources();

    const results = await Promise.all(['127.0.0.2', '127.0.0.3'].map((address) => attack(server, address)));
    // A client whose endpoints really connect (ICE, DTLS) with libdatachannel peers, then vanishes.
    const connected = await RawRpc.open(server.url, { localAddress: '127.0.0.6' });
    const pipeline = await connected.value<string>('create', { type: 'MediaPipeline' });
    const remote: RemotePeer[] = [];
    for (let i = 0; i < 5; i++) remote.push(await connectPeer(connected, peers.open(), pipeline));
    await connected.drop();
    for (const peer of remote) peer.close();
    const held = await processResources();
    t.diagnostic(`held: ${results.map((r) => r.created).join(' + ')} + 6 objects; ${describeResources(held)}`);
    assert.deepEqual(results.map((r) => r.created), [3 * SESSION_OBJECTS, 3 * SESSION_OBJECTS], 'each attacker made its budget');
    assert.equal(server.registry.size, 1 + 6 * SESSION_OBJECTS + 6, 'and it is all held, with the vanished client\'s');

    await waitFor('the grace period to release everything', () => server.registry.size === 1 && server.sessions.sessionIds().length === 0, GRACE_MS + 10_000, 100);
    await waitFor('the media sockets and timers given back', async () => {
      const now = await processResources();
      return now.udpSockets === baseline.udpSockets && now.timers <= baseline.timers;
    }, 5000, 250);
    const end = await processResources();
    t.diagnostic(`before: ${describeResources(baseline)}; after: ${describeResources(end)}`);
    assert.equal(end.udpSockets, baseline.udpSockets, 'UDP sockets');
    assert.ok(end.fds <= baseline.fds + 2, `descriptors: ${baseline.fds} → ${end.fds}`);
    assert.ok(end.timers <= baseline.timers + 2, `timers: ${baseline.timers} → ${end.timers}`);
    assert.ok(end.heapMb - baseline.heapMb < 8, `heap grew ${(end.heapMb - baseline.heapMb).toFixed(1)} MB`);
    assert.deepEqual(server.budgets().map((b) => [b.budget, b.used]), [
      ['maxSessions', 0], ['maxPipelines', 0], ['maxEndpoints', 0], ['maxObjects', 0], ['maxUdpSockets', 0], ['maxSessionsPerClient', 0], ['maxObjectsPerClient', 0],
    ]);
  } finally {
    await peers.close();
    await server.stop();
  }
});

test('an endpoint that never connects gives its socket back after negotiationTimeoutMs, with an Error event; one that connects keeps it', async () => {
  // Long enough for the connected one to connect first on a busy machine.
  const server = await startServer({ negotiationTimeoutMs: TIMEOUT_MS, sessionGraceMs: 60_000 });
  const peers = new NdcPeers();
  const rpc = await RawRpc.open(server.url);
  try {
    const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
    const unanswered = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
    const unconnected = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
    for (const id of [unanswered, unconnected]) await rpc.value('subscribe', { object: id, type: 'Error' });
    const offer = await rpc.invoke<string>(unanswered, 'generateOffer');
    // Answered, but its peer never learns our candidates: its transport never connects.
    const lonely = peers.open();
    await rpc.invoke(unconnected, 'processOffer', { offer: await lonely.offer });
    const peer = await connectPeer(rpc, peers.open(), pipeline);
    assert.equal(use(server, 'maxUdpSockets'), 3);

    const errors = await waitFor('two Error events', () => {
      const found = rpc.notifications.filter((n) => n.params?.value.type === 'Error');
      return found.length >= 2 ? found : null;
    }, TIMEOUT_MS + 5000);
    const data = (id: string) => errors.find((e) => e.params?.value.object === id)?.params?.value.data;
    assert.deepEqual(pick(data(unanswered)), { errorCode: 40212, type: 'SDP_END_POINT_NEGOTIATION_TIMEOUT', description: `the offer was not answered (processAnswer) within ${TIMEOUT_MS} ms: the endpoint's media sockets were released (--negotiation-timeout-ms)` });
    assert.deepEqual(pick(data(unconnected)), { errorCode: 40212, type: 'SDP_END_POINT_NEGOTIATION_TIMEOUT', description: `the transport did not connect within ${TIMEOUT_MS} ms: the endpoint's media sockets were released (--negotiation-timeout-ms)` });
    assert.equal(use(server, 'maxUdpSockets'), 1, 'only the connected endpoint holds its socket');
    await waitFor('the closed transports\' sockets', () => openUdpSockets().length === 1, 2000);
    const late = await rpc.call('invoke', { object: unanswered, operation: 'processAnswer', operationParams: { answer: offer } });
    assert.deepEqual(late.error, { code: 40212, message: `This endpoint's transport is closed: the offer was not answered (processAnswer) within ${TIMEOUT_MS} ms: the endpoint's media sockets were released (--negotiation-timeout-ms)`, data: { type: 'SDP_END_POINT_NEGOTIATION_TIMEOUT' } });
    peer.close();
    lonely.close();
  } finally {
    await rpc.close();
    await peers.close();
    await server.stop();
  }
});

/** An endpoint in `pipeline` connected (ICE and DTLS) to a libdatachannel peer, as the leak test does it. */
async function connectPeer(rpc: RawRpc, peer: RemotePeer, pipeline: string): Promise<RemotePeer> {
  const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
  const previous = rpc.onNotification;
  rpc.onNotification = (m) => {
    const c = m.params?.value.object === endpoint ? (m.params.value.data['candidate'] as { candidate: string; sdpMid: string } | undefined) : undefined;
    if (c) peer.addRemoteCandidate(c.candidate, c.sdpMid);
    else if (previous) previous(m);
    else rpc.notifications.push(m);
  };
  await rpc.value('subscribe', { object: endpoint, type: 'IceCandidateFound' });
  peer.onCandidate((candidate, sdpMid) => void rpc.invoke(endpoint, 'addIceCandidate', { candidate: { __module__: 'kurento', __type__: 'IceCandidate', candidate, sdpMid, sdpMLineIndex: 0 } }));
  peer.answer(await rpc.invoke<string>(endpoint, 'processOffer', { offer: await peer.offer }));
  await rpc.invoke(endpoint, 'gatherCandidates');
  await peer.connected();
  return peer;
}

const pick = (data: Record<string, unknown> | undefined) => data && { errorCode: data['errorCode'], type: data['type'], description: data['description'] };

/** Collects what is written to stderr (the log's warnings) while still writing it. */
function capturingStderr(): { lines: string[]; restore(): void } {
  const write = process.stderr.write.bind(process.stderr);
  const lines: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  return { lines, restore: () => (process.stderr.write = write) };
}
