/**
 * The Prometheus metrics with a real call: headless Chromium sends its camera through a
 * WebRtcEndpoint connected to itself, on a media worker (what the main thread scrapes is what the
 * worker reports). Scraped before, twice during, and after release: the gauges follow the
 * pipeline, the packet counters grow and keep what the released endpoint carried.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import kurentoClient from 'kurento-client';
import { waitFor } from '@kurento-ts/test-utils';
import { startBrowserLoopback, useBrowserFixture } from '../helpers/browserLoopback.js';
import { freePort, sample, scrape } from '../helpers/metrics.js';
import { startServer } from '../helpers/server.js';

const fixture = useBrowserFixture({ metricsPort: await freePort(), mediaWorkers: 1 });

const WEBRTC_VIDEO_IN = 'kurento_rtp_packets_total{direction="in",type="WebRtcEndpoint",kind="video"}';
const WEBRTC_VIDEO_OUT = 'kurento_rtp_packets_total{direction="out",type="WebRtcEndpoint",kind="video"}';
const WEBRTC_AUDIO_OUT_BYTES = 'kurento_rtp_bytes_total{direction="out",type="WebRtcEndpoint",kind="audio"}';

test('metrics follow a Chromium loopback call on a media worker: gauges right, packet counters grow, back to 0 after release', async (t) => {
  const url = fixture.server.metricsUrl ?? assert.fail('metrics are on');
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/, 'metrics bind loopback by default');
  const before = await scrape(url);
  assert.equal(sample(before, 'kurento_pipelines'), 0);
  assert.ok(sample(before, 'process_resident_memory_bytes') > 10e6, 'RSS is reported');
  assert.equal(sample(before, 'kurento_budget_limit{budget="maxPipelines"}'), fixture.server.config.maxPipelines);

  const kurento = await kurentoClient(fixture.server.url, { failAfter: 1 });
  const tab = await fixture.browser.context.newPage();
  try {
    const { pipeline } = await startBrowserLoopback(kurento, tab, fixture.page.url);
    await waitFor('remote frames', async () => ((await tab.evaluate(() => window.collect())).video?.framesDecoded ?? 0) > 30, 20_000);
    const first = await waitFor('video counted both ways and the edges flowing', async () => {
      const s = await scrape(url);
      return sample(s, WEBRTC_VIDEO_IN) > 100 && sample(s, WEBRTC_VIDEO_OUT) > 100 && sample(s, 'kurento_edges_flowing{media_type="VIDEO"}') === 1 ? s : null;
    }, 10_000, 250);
    assert.equal(sample(first, 'kurento_pipelines'), 1);
    assert.equal(sample(first, 'kurento_elements{type="WebRtcEndpoint"}'), 1);
    assert.equal(sample(first, 'kurento_sessions'), 1);
    assert.equal(sample(first, 'kurento_edges{media_type="VIDEO",status="forwarding"}'), 1);
    assert.equal(sample(first, 'kurento_edges{media_type="DATA",status="data"}'), 1);
    assert.equal(sample(first, 'kurento_budget_used{budget="maxPipelines"}'), 1);
    assert.equal(sample(first, 'kurento_budget_used{budget="maxEndpoints"}'), 1);
    assert.ok(sample(first, 'kurento_host_objects{host="worker 1"}') >= 2, 'the worker hosts the pipeline and its endpoint');
    assert.ok(sample(first, 'kurento_host_udp_sockets{host="worker 1"}') >= 1, 'the worker holds the media socket');
    assert.ok(sample(first, 'kurento_host_busy_seconds_total{host="worker 1"}') > 0, "the worker's busy time is reported");
    assert.ok(first.has('kurento_host_event_loop_delay_seconds{host="worker 1",quantile="0.99"}'));
    for (const series of ['kurento_rtcp_keyframe_requests_total{direction="sent",request="PLI"}', 'kurento_rtcp_keyframe_requests_total{direction="received",request="FIR"}', 'kurento_rtcp_nacks_total{direction="sent",kind="video"}', 'kurento_rtp_packets_lost_total{kind="video"}']) {
      assert.ok(first.has(series), `${series} is exported`);
    }

    const second = await waitFor('the counters move', async () => {
      const s = await scrape(url);
      return sample(s, WEBRTC_VIDEO_IN) > sample(first, WEBRTC_VIDEO_IN) + 30 && sample(s, WEBRTC_AUDIO_OUT_BYTES) > sample(first, WEBRTC_AUDIO_OUT_BYTES) ? s : null;
    }, 10_000, 250);
    t.diagnostic(`video packets in: ${sample(first, WEBRTC_VIDEO_IN)} → ${sample(second, WEBRTC_VIDEO_IN)}, out: ${sample(first, WEBRTC_VIDEO_OUT)} → ${sample(second, WEBRTC_VIDEO_OUT)}`);
    assert.ok(sample(second, WEBRTC_VIDEO_OUT) > sample(first, WEBRTC_VIDEO_OUT));

    await pipeline.release();
    const after = await waitFor('the pipeline gone from the gauges', async () => {
      const s = await scrape(url);
      return sample(s, 'kurento_pipelines') === 0 ? s : null;
    }, 5000);
    assert.equal(after.get('kurento_elements{type="WebRtcEndpoint"}'), 0, 'the element gauge reads 0');
    assert.equal(sample(after, 'kurento_edges_flowing{media_type="VIDEO"}'), 0);
    assert.equal(sample(after, 'kurento_budget_used{budget="maxEndpoints"}'), 0);
    assert.ok(sample(after, WEBRTC_VIDEO_IN) >= sample(second, WEBRTC_VIDEO_IN), 'the released endpoint still counts in the totals');
    assert.ok(sample(after, WEBRTC_VIDEO_OUT) >= sample(second, WEBRTC_VIDEO_OUT));
  } finally {
    await tab.evaluate(() => window.hangUp()).catch(() => undefined);
    await tab.close();
    kurento.close();
  }
});

test('metrics want the control port\'s token: 401 without it, 404 off /metrics, a busy port a clear error at start', async () => {
  const port = await freePort();
  const server = await startServer({ metricsPort: port, authToken: 'scraper-secret' });
  try {
    const url = server.metricsUrl ?? assert.fail('metrics are on');
    const refused = await fetch(url);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal(sample(await scrape(url, 'scraper-secret'), 'kurento_pipelines'), 0);
    assert.equal(sample(await scrape(`${url}?access_token=scraper-secret`), 'kurento_sessions'), 0, 'the token in the query works too');
    assert.equal((await fetch(url.replace('/metrics', '/other'), { headers: { authorization: 'Bearer scraper-secret' } })).status, 404);
    await assert.rejects(startServer({ metricsPort: port }), /metrics: port \d+ on 127\.0\.0\.1 is already in use/);
  } finally {
    await server.stop();
  }
});
