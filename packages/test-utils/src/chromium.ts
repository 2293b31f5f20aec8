/**
 * Headless Debian Chromium for media tests: fake camera and microphone, loopback ICE
 * candidates allowed, no network chatter (this machine has no outside network).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
];

/** A running browser and how to dispose of it. */
export interface Browser {
  context: BrowserContext;
  /** The profile directory of this browser's processes (tells them apart from other browsers'). */
  userDataDir: string;
  close(): Promise<void>;
}

/** Launches Chromium; fails with the install command when it is missing. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run  apt-get install -y chromium`);
  const dir = mkdtempSync(join(tmpdir(), 'kurento-ts-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: false, // --headless=new is passed above
    args: [...ARGS, ...extraArgs],
    ignoreHTTPSErrors: true,
  });
  return {
    context,
    userDataDir: dir,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
