/** Browser-side plumbing shared by the tests: the bundles, the probe, console watching. */
import type { Page } from 'playwright-core';
import { buildBrowser, OUTPUTS } from '../../scripts/build.js';

/**
 * Options of the official client for tests: no reconnection attempts, and its memory of
 * processed responses (20 s timers that keep Node alive after the test) kept short.
 */
export const KURENTO_OPTIONS = { failAfter: 1, duplicates_timeout: 500 };

/** Injected with addInitScript before the page's scripts; see the file. */
export { PAGE_PROBE as PROBE } from '@kurento-ts/test-utils';

/** Builds the ES module and the global script in memory: URL path → contents. */
export async function bundles(): Promise<Record<string, string>> {
  const { files } = await buildBrowser({ write: false });
  const esm = files.get(OUTPUTS.esm);
  const global = files.get(OUTPUTS.global);
  if (!esm || !global) throw new Error(`build produced ${[...files.keys()].join(', ')}`);
  return { [`/${OUTPUTS.esm}`]: esm, [`/${OUTPUTS.global}`]: global };
}

/** Collects the page's console errors and uncaught exceptions, to assert there were none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}
