/**
 * A browser tab as the tutorials' tests use it, whichever browser: Chromium driven by Playwright
 * or Firefox driven by puppeteer-core (WebDriver BiDi). The calls are Playwright's names and
 * meanings (a click waits for the element to be there, visible and enabled), so one test body
 * runs in either browser.
 */
import { readFileSync } from 'node:fs';
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';

/** How long a click or fill waits for its element, as Playwright's default. */
const ACTION_TIMEOUT_MS = 30_000;

export interface WaitOptions {
  /** 'attached' (default): in the document; 'visible': and shown; 'hidden': absent or not shown. */
  state?: 'attached' | 'visible' | 'hidden';
  timeout?: number;
}

/** Which browser a tab is in. */
export type BrowserName = 'chromium' | 'firefox';

export interface Tab {
  readonly browser: BrowserName;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  click(selector: string): Promise<void>;
  /** Checks or unchecks a checkbox (a click when it is not as asked). */
  setChecked(selector: string, checked: boolean): Promise<void>;
  inputValue(selector: string): Promise<string>;
  isDisabled(selector: string): Promise<boolean>;
  fill(selector: string, text: string): Promise<void>;
  getAttribute(selector: string, name: string): Promise<string | null>;
  textContent(selector: string): Promise<string | null>;
  isVisible(selector: string): Promise<boolean>;
  waitForSelector(selector: string, options?: WaitOptions): Promise<void>;
  /** Runs `fn` in the page (its text is sent: it must not close over test variables). */
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  /** Runs `fn` on the first element matching `selector`, with `arg`. */
  $eval<R, A = undefined>(selector: string, fn: (element: Element, arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Runs `fn` on every element matching `selector`. */
  $$eval<R>(selector: string, fn: (elements: Element[]) => R | Promise<R>): Promise<R>;
  /** Adds a script that runs before the page's own, in every document the tab loads. */
  addInitScript(path: string): Promise<void>;
  /** Console errors and uncaught exceptions of the page are passed to `problem`. */
  onProblem(problem: (text: string) => void): void;
  close(): Promise<void>;
}

/** A Playwright (Chromium) page as a Tab. */
export function playwrightTab(page: PlaywrightPage): Tab {
  return {
    browser: 'chromium',
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    click: (s) => page.click(s),
    setChecked: (s, checked) => page.setChecked(s, checked),
    inputValue: (s) => page.inputValue(s),
    isDisabled: (s) => page.isDisabled(s),
    fill: (s, text) => page.fill(s, text),
    getAttribute: (s, name) => page.getAttribute(s, name),
    textContent: (s) => page.textContent(s),
    isVisible: (s) => page.isVisible(s),
    waitForSelector: async (s, options = {}) => void (await page.waitForSelector(s, options)),
    evaluate: (fn) => page.evaluate(fn),
    $eval: (s, fn, arg) => page.$eval(s, fn, arg as never),
    $$eval: (s, fn) => page.$$eval(s, fn),
    addInitScript: async (path) => void (await page.addInitScript({ path })),
    onProblem: (problem) => {
      page.on('console', (m) => {
        if (m.type() === 'error') problem(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problem(`uncaught: ${e.message}`));
    },
    close: () => page.close(),
  };
}

/** A puppeteer-core (Firefox over WebDriver BiDi) page as a Tab, with Playwright's waiting. */
export function puppeteerTab(page: PuppeteerPage): Tab {
  const visible = (s: string, timeout = ACTION_TIMEOUT_MS) => page.locator(s).setTimeout(timeout).setVisibility('visible');
  return {
    browser: 'firefox',
    goto: async (url) => void (await page.goto(url)),
    // Locators wait until the element is visible, enabled and still, like Playwright's actions.
    reload: async () => void (await page.reload()),
    click: (s) => visible(s).click(),
    setChecked: async (s, checked) => {
      if ((await page.$eval(s, (e) => (e as HTMLInputElement).checked)) !== checked) await visible(s).click();
    },
    inputValue: (s) => page.$eval(s, (e) => (e as HTMLInputElement).value),
    isDisabled: (s) => page.$eval(s, (e) => (e as HTMLInputElement).disabled),
    fill: (s, text) => visible(s).fill(text),
    getAttribute: (s, name) => page.$eval(s, (e, n) => e.getAttribute(n), name),
    textContent: (s) => page.$eval(s, (e) => e.textContent),
    isVisible: async (s) => {
      const element = await page.$(s);
      try {
        return element ? await element.isVisible() : false;
      } finally {
        await element?.dispose();
      }
    },
    waitForSelector: async (s, { state = 'attached', timeout = ACTION_TIMEOUT_MS } = {}) => {
      const element = await page.waitForSelector(s, { timeout, visible: state === 'visible', hidden: state === 'hidden' });
      await element?.dispose();
    },
    evaluate: (fn) => page.evaluate(fn) as Promise<Awaited<ReturnType<typeof fn>>>,
    $eval: (s, fn, arg) => page.$eval(s, fn as (e: Element, a: unknown) => unknown, arg) as never,
    $$eval: (s, fn) => page.$$eval(s, fn as (e: Element[]) => unknown) as never,
    addInitScript: async (path) => void (await page.evaluateOnNewDocument(readFileSync(path, 'utf8'))),
    onProblem: (problem) => {
      page.on('console', (m) => {
        if (m.type() === 'error') problem(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problem(`uncaught: ${e instanceof Error ? e.message : String(e)}`));
    },
    close: () => page.close(),
  };
}
