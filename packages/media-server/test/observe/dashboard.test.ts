/**
 * The live pipeline dashboard in Chromium, behind the control port's token: a Hello World
 * pipeline (a WebRtcEndpoint connected to itself) appears as its element and typed edges, the
 * VIDEO edge drawn not flowing before the browser's offer and flowing (green, animated) once media
 * runs, checked in the SVG's DOM and in the screenshot's pixels; released, it leaves the page.
 * Bad requests: no token 401, wrong paths 404, nothing of the server's files in what it sends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import kurentoClient from 'kurento-client';
import { waitFor } from '@kurento-ts/test-utils';
import { startBrowserLoopback, useBrowserFixture } from '../helpers/browserLoopback.js';
import { countPixels } from '../helpers/pixels.js';

const TOKEN = 'dashboard-secret';
const fixture = useBrowserFixture({ dashboard: true, authToken: TOKEN });
/** The flowing edge's colour in page.html (#1a7f37). */
const FLOWING_GREEN = [0x1a, 0x7f, 0x37] as const;

test('the dashboard draws a loopback pipeline, its VIDEO edge turns flowing once media runs, and it is gone after release', async (t) => {
  const dashboardUrl = fixture.server.dashboardUrl ?? assert.fail('dashboard is on');
  const kurento = await kurentoClient(`${fixture.server.url}?access_token=${TOKEN}`, { failAfter: 1 });
  const call = await fixture.browser.context.newPage();
  const dashboard = await fixture.browser.context.newPage();
  await dashboard.setViewportSize({ width: 1100, height: 420 });
  const errors: string[] = [];
  dashboard.on('pageerror', (e) => errors.push(e.message));
  dashboard.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  try {
    await dashboard.goto(`${dashboardUrl}?access_token=${TOKEN}`);
    await dashboard.locator('text=No pipelines.').waitFor({ timeout: 10_000 });
    const videoEdge = (flowing: boolean) => dashboard.locator(`path.edge[data-media="VIDEO"][data-flowing="${flowing}"]`);
    const { pipeline, endpoint } = await startBrowserLoopback(kurento, call, fixture.page.url, undefined, async (ep) => {
      await dashboard.locator(`g.node[data-id="${ep.id}"][data-type="WebRtcEndpoint"]`).waitFor({ timeout: 10_000 });
      await videoEdge(false).first().waitFor({ timeout: 10_000 });
      assert.equal(await videoEdge(false).getAttribute('data-status'), 'pending', 'before any offer the edge waits for its codecs');
    });
    await videoEdge(true).first().waitFor({ timeout: 20_000 });
    const edge = videoEdge(true).first();
    assert.equal(await edge.getAttribute('data-source'), endpoint.id);
    assert.equal(await edge.getAttribute('data-sink'), endpoint.id);
    assert.equal(await edge.getAttribute('data-status'), 'forwarding');
    const label = await waitFor('a VIDEO label with a bitrate', async () => {
      const text = await dashboard.locator(`text.edge-label[data-edge="${await edge.getAttribute('data-id')}"]`).textContent();
      return text && /VP8\/90000 · [\d.]+ (k|M)bit\/s · [\d.]+% loss/.test(text) ? text : null;
    }, 10_000, 250);
    t.diagnostic(`edge label: ${label}`);
    // Audio can start flowing an update after video (one full run drew the video edge at its first
    // packets, 14 kbit/s, before any audio): wait for it as for video, then count.
    const audioEdge = dashboard.locator('path.edge[data-media="AUDIO"][data-flowing="true"]');
    await audioEdge.first().waitFor({ timeout: 10_000 });
    assert.equal(await audioEdge.count(), 1, 'the audio edge flows too');
    assert.equal(await dashboard.locator('path.edge[data-media="DATA"]').count(), 1, 'the data connection is drawn');
    assert.equal(await dashboard.locator('g.node').count(), 1);

    const png = await dashboard.screenshot();
    const green = await countPixels(fixture.browser.context, png, FLOWING_GREEN);
    t.diagnostic(`flowing-green pixels in the screenshot: ${green}`);
    assert.ok(green > 100, `the flowing edges are drawn green (${green} pixels)`);

    await pipeline.release();
    await dashboard.locator('text=No pipelines.').waitFor({ timeout: 10_000 });
    assert.equal(await dashboard.locator('g.node').count(), 0);
    assert.deepEqual(errors, [], 'the page ran without errors');
  } finally {
    await call.evaluate(() => window.hangUp()).catch(() => undefined);
    await call.close();
    await dashboard.close();
    kurento.close();
  }
});

test('dashboard requests without the token get 401, other paths 404, and its stream names no server path', async () => {
  const dashboardUrl = fixture.server.dashboardUrl ?? assert.fail('dashboard is on');
  for (const path of ['', '/events', '/elk.js']) {
    assert.equal((await fetch(`${dashboardUrl}${path}`)).status, 401, `${path || '/dashboard'} needs the token`);
    assert.equal((await fetch(`${dashboardUrl}${path}?access_token=wrong`)).status, 401);
  }
  const page = await fetch(dashboardUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self' 'sha256-/);
  assert.equal((await fetch(`${dashboardUrl}/../../etc/passwd?access_token=${TOKEN}`)).status, 426, 'paths outside /dashboard are the control port\'s');
  assert.equal((await fetch(`${dashboardUrl}/nothing?access_token=${TOKEN}`)).status, 404);
  assert.equal((await fetch(`${dashboardUrl}/events?access_token=${TOKEN}`, { method: 'POST' })).status, 405);
  const controller = new AbortController();
  const events = await fetch(`${dashboardUrl}/events?access_token=${TOKEN}`, { signal: controller.signal });
  assert.equal(events.headers.get('content-type'), 'text/event-stream');
  const reader = (events.body ?? assert.fail('a body')).getReader();
  const { value } = await reader.read();
  controller.abort();
  const frame = new TextDecoder().decode(value);
  assert.match(frame, /^data: \{"at":\d+,"sessions":\d+,"pipelines":\[/);
  assert.doesNotMatch(frame, /\/(tmp|home|root|work|usr)\b/, 'no server path in the stream');
});
