/**
 * Real media through a media worker: headless Chromium's fake camera through a WebRtcEndpoint
 * connected to itself, the pipeline on one of two worker threads, driven by the official
 * kurento-client through the main thread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import kurentoClient from 'kurento-client';
import { waitFor } from '@kurento-ts/test-utils';
import { HELLO_WORLD_EVENTS, startBrowserLoopback, useBrowserFixture } from '../helpers/browserLoopback.js';

const fixture = useBrowserFixture({ mediaWorkers: 2 });

test('browser loopback on a media worker, VP8: frames decoded, picture matches, audio flows, release leaves nothing', async (t) => {
  const kurento = await kurentoClient(fixture.server.url, { failAfter: 1, duplicates_timeout: 500 });
  const tab = await fixture.browser.context.newPage();
  try {
    const { pipeline, endpoint, events } = await startBrowserLoopback(kurento, tab, fixture.page.url, 'VP8');
    const load = fixture.server.hostLoad();
    t.diagnostic(`objects per host: ${JSON.stringify(load)}`);
    assert.deepEqual(load.map((h) => h.objects).sort(), [0, 1, 2], 'the pipeline and its endpoint on one worker, the main thread with the ServerManager only');

    const stats = await waitFor('remote video frames', async () => {
      const s = await tab.evaluate(() => window.collect());
      return (s.video?.framesDecoded ?? 0) > 30 && (s.audio?.packetsReceived ?? 0) > 50 ? s : null;
    }, 15_000);
    assert.equal(stats.connectionState, 'connected');
    assert.ok(stats.video && stats.video.frameWidth >= 320, `remote video is at least 320 wide: ${JSON.stringify(stats.video)}`);
    const pictures = await waitFor('a remote picture like the local one', async () => {
      const p = await tab.evaluate(() => window.comparePictures());
      return (p?.remoteVsBestLocal ?? Infinity) < 10 ? p : null;
    }, 10_000, 250);
    t.diagnostic(`pixels: ${JSON.stringify(pictures)}`);
    assert.ok(pictures.remoteVsBlack > 20, 'the remote picture is not black');
    assert.equal(await endpoint.isMediaFlowingIn('VIDEO'), true);
    for (const expected of HELLO_WORLD_EVENTS) {
      assert.ok(events.includes(expected), `event ${expected} received from the worker (got ${[...new Set(events)].join(', ')})`);
    }

    await pipeline.release();
    const manager = await kurento.getServerManager();
    assert.deepEqual(await manager.getPipelines(), []);
    assert.deepEqual(fixture.server.hostLoad().map((h) => h.objects), [1, 0, 0], 'only the server manager is left');
  } finally {
    await tab.evaluate(() => window.hangUp()).catch(() => undefined);
    await tab.close();
    kurento.close();
  }
});
