/**
 * Headless Debian Firefox ESR for media tests, driven by puppeteer-core over WebDriver BiDi
 * (Playwright drives only its own patched Firefox builds): a temporary profile, Firefox's fake
 * camera and microphone without a permission prompt, host candidates on loopback and not hidden
 * behind mDNS names, no network chatter. Nothing is downloaded: the browser is Debian's.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser as PuppeteerBrowser } from 'puppeteer-core';

export const FIREFOX = '/usr/bin/firefox-esr';

const PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // No update checks, telemetry or safe-browsing lists: this machine has no outside network.
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

/** A running Firefox and how to dispose of it. */
export interface FirefoxBrowser {
  browser: PuppeteerBrowser;
  /** The temporary profile of this browser. */
  profileDir: string;
  close(): Promise<void>;
}

/** Launches Firefox ESR; fails with the install command when it is missing. */
export async function launchFirefox(): Promise<FirefoxBrowser> {
  if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} is missing: run  apt-get install -y firefox-esr`);
  // puppeteer-core never downloads a browser; say so to any puppeteer code that reads this.
  process.env['PUPPETEER_SKIP_DOWNLOAD'] ??= '1';
  const dir = mkdtempSync(join(tmpdir(), 'kurento-ts-firefox-'));
  try {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: FIREFOX,
      headless: true,
      userDataDir: dir,
      acceptInsecureCerts: true, // the tutorials' self-signed certificate
      extraPrefsFirefox: PREFS,
    });
    return {
      browser,
      profileDir: dir,
      close: async () => {
        await browser.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
