/**
 * The media server's pipeline dashboard (`--dashboard`, KURENTO_DASHBOARD=true for the embedded
 * server), as an operator opens it during a tutorial's test: waits until it draws what the test
 * expects, and screenshots it (into docs/dashboard.png when KURENTO_TS_DASHBOARD_SCREENSHOT is set,
 * to refresh the README's picture).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, waitFor } from '@kurento-ts/test-utils';
import { ROOT } from './npmStart.js';

/** What the page must show: element counts by type, and VIDEO edges flowing (with a bitrate measured). */
export interface DashboardExpectation {
  elements: Readonly<Record<string, number>>;
  flowingVideoEdges: number;
}

/** Opens the dashboard of the media server at `kurentoUrl` in a Chromium of its own (the operator's), waits for `expected`, and returns its screenshot. */
export async function expectDashboard(kurentoUrl: string, expected: DashboardExpectation, timeoutMs = 20_000): Promise<Buffer> {
  const url = new URL('/dashboard', kurentoUrl.replace(/^ws/, 'http'));
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1100, height: 480 });
    await page.goto(url.href);
    // No functions declared inside: the test runner's transform would name them with a helper the page lacks.
    await waitFor(`the dashboard showing ${JSON.stringify(expected)}`, () => page.evaluate((want) => (
      Object.entries(want.elements).every(([type, n]) => document.querySelectorAll(`g.node[data-type="${type}"]`).length === n)
      && document.querySelectorAll('path.edge[data-media="VIDEO"][data-flowing="true"]').length >= want.flowingVideoEdges
      // and their bitrates measured (the first view after the page opens has nothing to measure against)
      && [...document.querySelectorAll('text.edge-label')].filter((t) => /^VIDEO .* [\d.]+ [kM]bit\/s/.test(t.textContent ?? '')).length >= want.flowingVideoEdges
    ), expected), timeoutMs, 250);
    const png = await page.screenshot();
    if (process.env['KURENTO_TS_DASHBOARD_SCREENSHOT']) writeFileSync(join(ROOT, 'docs/dashboard.png'), png);
    return png;
  } finally {
    await browser.close();
  }
}
