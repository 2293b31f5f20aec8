/**
 * Which media path runs, and that it carries a real call: with the addon built (and not
 * KURENTO_NATIVE=0) WebRTC media goes through the native sockets and SRTP, and ServerManager's
 * info says so; with KURENTO_NATIVE=0 (the second run of `npm test`) the same call takes the
 * TypeScript path on node:dgram sockets. Either way Chromium decodes the frames and release gives
 * every socket back, counted from the kernel's tables (native sockets are invisible to Node's).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import kurentoClient from 'kurento-client';
import { nativeStatus, NATIVE_ENV } from '@kurento-ts/native';
import { openUdpSockets, waitFor } from '@kurento-ts/test-utils';
import type { MediaPathStats } from '../../src/webrtc/PeerSession.js';
import { startBrowserLoopback, useBrowserFixture } from '../helpers/browserLoopback.js';

const fixture = useBrowserFixture();

/** What this run should take, decided without asking the loader: the build is there and not refused. */
const ADDON = new URL('../../../native/build/Release/kurento_ts_native.node', import.meta.url);
const refused = ['0', 'false', 'off', 'no'].includes(process.env[NATIVE_ENV]?.trim().toLowerCase() ?? '');
const expectNative = existsSync(ADDON) && !refused;

/** node:dgram's sockets in this process, by local port (native ones are not among Node's handles). */
const dgramPorts = (): Set<number> => {
  type Handle = { type?: unknown; address?: () => { port: number } };
  const handles = (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles();
  return new Set(handles.filter((h) => h.type === 'udp4' || h.type === 'udp6').map((h) => h.address?.().port ?? -1));
};

test(`the ${expectNative ? 'native' : 'TypeScript'} media path is the one in use, and ServerManager's info says which`, async () => {
  assert.equal(nativeStatus().native, expectNative, `loader: ${nativeStatus().reason}`);
  const kurento = await kurentoClient(fixture.server.url, { failAfter: 1 });
  try {
    // kurento-client's typings leave ServerInfo's capabilities out.
    const info = (await (await kurento.getServerManager()).getInfo()) as unknown as { capabilities: string[] };
    assert.ok(info.capabilities.includes(expectNative ? 'media-path:native' : 'media-path:typescript'), `capabilities: ${info.capabilities.join(', ')}`);
  } finally {
    kurento.close();
  }
});

test(`a Chromium loopback call on the ${expectNative ? 'native' : 'TypeScript'} path decodes frames; its media socket is ${expectNative ? 'a native one' : "node:dgram's"}; release gives it back`, async (t) => {
  const kurento = await kurentoClient(fixture.server.url, { failAfter: 1, duplicates_timeout: 500 });
  const tab = await fixture.browser.context.newPage();
  try {
    const { pipeline, endpoint, serverCandidates } = await startBrowserLoopback(kurento, tab, fixture.page.url);
    const stats = await waitFor('remote video frames and audio', async () => {
      const s = await tab.evaluate(() => window.collect());
      return (s.video?.framesDecoded ?? 0) > 30 && (s.audio?.packetsReceived ?? 0) > 50 ? s : null;
    }, 20_000);
    assert.ok(stats.video && stats.video.frameWidth >= 320, `video decoded: ${JSON.stringify(stats.video)}`);

    const path = (fixture.server.registry.resolve(endpoint.id) as unknown as { mediaPath(): MediaPathStats | undefined }).mediaPath();
    t.diagnostic(`media path: ${JSON.stringify(path)}`);
    assert.ok(path?.path === 'fast' && path.native === expectNative && path.received > 100 && path.sent > 100 && path.dropped === 0, `media path: ${JSON.stringify(path)}`);
    // Natively, the loopback's steady state runs in the forwarding lanes (csrc/lane.c); sent is
    // counted by the bookkeeping of each packet, so it still counts what the lanes sent.
    if (expectNative) assert.ok(path.laned > path.received * 0.8, `forwarding lanes took ${path.laned} of ${path.received} packets`);
    else assert.equal(path.laned, 0);

    // The host candidate's port is a socket of this process: native (not a Node handle) or dgram.
    const port = Number(/ udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(serverCandidates.join('\n'))?.[1]);
    assert.ok(openUdpSockets().some((s) => s.port === port), `port ${port} is open in this process`);
    assert.equal(dgramPorts().has(port), !expectNative, `port ${port} ${expectNative ? 'is not' : 'is'} a node:dgram socket`);

    await pipeline.release();
    await waitFor('the media sockets given back', () => openUdpSockets().length === 0, 5000);
  } finally {
    await tab.evaluate(() => window.hangUp()).catch(() => undefined);
    await tab.close();
    kurento.close();
  }
});

test(`a second call set up and released in another pipeline leaves the first call's forwarding lanes running (${expectNative ? 'native' : 'TypeScript'} path)`, async () => {
  const kurento = await kurentoClient(fixture.server.url, { failAfter: 1, duplicates_timeout: 500 });
  const first = await fixture.browser.context.newPage();
  const second = await fixture.browser.context.newPage();
  try {
    const a = await startBrowserLoopback(kurento, first, fixture.page.url);
    const decodes = (tab: typeof first, frames: number) => async () => (((await tab.evaluate(() => window.collect())).video?.framesDecoded ?? 0) > frames ? true : null);
    await waitFor('the first call decodes', decodes(first, 30), 20_000);
    const endpointA = fixture.server.registry.resolve(a.endpoint.id) as unknown as { mediaPath(): MediaPathStats | undefined; pipeline: { lanes: { epoch: number } } };
    const pathA = () => {
      const p = endpointA.mediaPath();
      assert.ok(p?.path === 'fast', `first call's path: ${JSON.stringify(p)}`);
      return p;
    };
    const before = pathA();
    const epochBefore = endpointA.pipeline.lanes.epoch;

    // Everything the second pipeline's life changes (ICE and DTLS states, its graph, its streams, its release) bumps its own epoch cell only.
    const b = await startBrowserLoopback(kurento, second, fixture.page.url);
    await waitFor('the second call decodes', decodes(second, 30), 20_000);
    await second.evaluate(() => window.hangUp());
    await b.pipeline.release();
    await waitFor('the second call gone', () => openUdpSockets().length === 1, 5000);

    // The second call's life may be short (a native handshake is quick): let the first go on past it too.
    const after = await waitFor('the first call going on', () => {
      const p = pathA();
      return p && p.received - before.received > 200 ? p : null;
    }, 10_000);
    const received = after.received - before.received;
    const laned = after.laned - before.laned;
    assert.equal(endpointA.pipeline.lanes.epoch, epochBefore, "the first pipeline's lanes were never stopped");
    if (expectNative) assert.ok(laned >= received * 0.98, `lanes took ${laned} of the first call's ${received} packets meanwhile`);
    else assert.equal(laned, 0);
    await a.pipeline.release();
  } finally {
    for (const tab of [first, second]) {
      await tab.evaluate(() => window.hangUp()).catch(() => undefined);
      await tab.close();
    }
    kurento.close();
  }
});
