/** The tutorial page in a Chromium tab, and the checks a person would make by looking at it. */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PAGE_PROBE as PROBE, waitFor, type Browser } from '@kurento-ts/test-utils';


/** Media waits are generous: this machine has two cores and other browser tests may run. */
export const MEDIA_WAIT_MS = 15_000;

export interface Tab {
  page: Page;
  /** Console errors and uncaught exceptions of the page. */
  problems: string[];
}

/** Opens the page with the probe watching both videos; `prepare` runs before it loads. */
export async function openTab(browser: Browser, url: string, prepare?: (page: Page) => Promise<void>): Promise<Tab> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.addInitScript({ path: PROBE });
  await prepare?.(page);
  await page.goto(url);
  await page.evaluate(() => {
    probe.watch(document.getElementById('videoInput') as HTMLVideoElement);
    probe.watch(document.getElementById('videoOutput') as HTMLVideoElement);
  });
  return { page, problems };
}

export interface Loopback {
  presented: number;
  pictures: { remoteVsBestLocal: number; remoteVsBlack: number; size: string };
}

/** Clicks Start and waits until videoOutput plays a picture like videoInput's (not black). */
export async function startLoopback(tab: Tab): Promise<Loopback> {
  await tab.page.click('#start');
  return checkLoopback(tab);
}

/**
 * Waits until videoOutput presents frames and its picture is like videoInput's (not black).
 * The tab is brought to the front first: a background tab presents no frames (media still flows).
 */
export async function checkLoopback({ page }: Tab): Promise<Loopback> {
  await page.bringToFront();
  const presented = await waitFor('videoOutput presenting frames', () =>
    page.evaluate(() => {
      const n = probe.frames(document.getElementById('videoOutput') as HTMLVideoElement);
      return n > 30 ? n : 0;
    }), MEDIA_WAIT_MS);
  const pictures = await waitFor('a videoOutput picture like videoInput\'s', async () => {
    const p = await page.evaluate(() => probe.compare(document.getElementById('videoInput') as HTMLVideoElement, document.getElementById('videoOutput') as HTMLVideoElement));
    return p && p.remoteVsBestLocal < 10 ? p : null;
  }, 10_000, 250);
  assert.ok(pictures.remoteVsBlack > 20, `videoOutput is not black: ${JSON.stringify(pictures)}`);
  return { presented, pictures };
}

/** The stats panel's cells, as shown. */
export function statsShown({ page }: Tab): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const dd of document.querySelectorAll('#stats dd')) out[dd.id.replace(/^stat-/, '')] = dd.textContent ?? '';
    return out;
  });
}

/** The event log's lines: [name, detail]. */
export function eventsShown({ page }: Tab): Promise<[string, string][]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#events li')].map((li): [string, string] => [li.querySelector('b')?.textContent ?? '', li.querySelector('span')?.textContent ?? '']));
}
