/**
 * A participant of a browser test: a browser process of its own (Chromium, so that it can have
 * its own fake camera, or Firefox ESR with its fake camera) with one tab on the tutorial's page,
 * and the checks a person would make by looking at that tab: does this video play, is it that
 * person's picture, is there sound.
 */
/// <reference path="./probe.d.ts" />
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launchChromium, launchFirefox, waitFor } from '@kurento-ts/test-utils';
import { pictureDistance, PICTURE_HEIGHT, PICTURE_WIDTH, type Camera } from './cameras.js';
import { playwrightTab, puppeteerTab, type Tab } from './tab.js';

const INSTRUMENT = fileURLToPath(new URL('./page-instrument.js', import.meta.url));

/** Media waits are generous: this machine has two cores and several browsers run at once. */
export const MEDIA_WAIT_MS = 20_000;

/** A remote picture this close to its sender's camera (mean per channel, 0..255) counts as that camera. */
const SAME_PICTURE = 25;
/** ...and must be this much further from every other camera. */
const MARGIN = 20;

/** What a video showed, for diagnostics. */
export interface Seen {
  /** Frames presented while we waited. */
  frames: number;
  /** Distance to each camera's picture, by picture name. */
  distances: Record<string, number>;
  /** ms from the start of the check to a matching picture. */
  afterMs: number;
}

/**
 * A picture that changes, read when compared: Firefox's fake camera cycles its colour, so what
 * it sends is taken from the sender's own preview at the moment of each comparison.
 */
export interface LivePicture {
  picture: string;
  current(): Promise<Uint8Array | null>;
}

/** One participant: its own browser and tab. */
export class Participant {
  /** Console errors and uncaught exceptions of the page. */
  readonly problems: string[] = [];

  private constructor(readonly name: string, readonly camera: Camera | undefined, private readonly closeBrowser: () => Promise<void>, readonly page: Tab) {
    page.onProblem((text) => this.problems.push(text));
  }

  /** Starts Chromium with `camera` (or the default fake one) and opens `url` in it. */
  static async open(name: string, camera: Camera | undefined, url: string): Promise<Participant> {
    const browser = await launchChromium(camera ? [`--use-file-for-fake-video-capture=${camera.file}`] : []);
    return Participant.#onPage(name, camera, () => browser.close(), async () => playwrightTab(await browser.context.newPage()), url);
  }

  /** Starts Firefox ESR (its own fake camera: see livePicture) and opens `url` in it. */
  static async openFirefox(name: string, url: string): Promise<Participant> {
    const firefox = await launchFirefox();
    return Participant.#onPage(name, undefined, () => firefox.close(), async () => puppeteerTab(await firefox.browser.newPage()), url);
  }

  static async #onPage(name: string, camera: Camera | undefined, closeBrowser: () => Promise<void>, newTab: () => Promise<Tab>, url: string): Promise<Participant> {
    try {
      const tab = await newTab();
      await tab.addInitScript(INSTRUMENT);
      const participant = new Participant(name, camera, closeBrowser, tab);
      await tab.goto(url);
      return participant;
    } catch (e) {
      await closeBrowser();
      throw e;
    }
  }

  /** What this participant's camera shows now, as its own `preview` video shows it. */
  livePicture(preview: string): LivePicture {
    return { picture: `${this.name}'s ${this.page.browser} camera`, current: () => this.snapshot(preview) };
  }

  /** Closes the tab only (the browser stays): what a user closing the tab does. */
  async closeTab(): Promise<void> {
    await this.page.close();
  }

  /** Closes the browser. Idempotent. */
  async close(): Promise<void> {
    await this.closeBrowser().catch(() => undefined);
  }

  /** Frames the video `selector` presented since first asked. */
  frames(selector: string): Promise<number> {
    return this.page.$eval(selector, (v) => tutorialProbe.frames(v as HTMLVideoElement));
  }

  /** The video's picture, RGB, PICTURE_WIDTH × PICTURE_HEIGHT, or null while it has none. */
  async snapshot(selector: string): Promise<Uint8Array | null> {
    const rgb = await this.page.$eval(selector, (v, [w, h]) => tutorialProbe.snapshot(v as HTMLVideoElement, w, h), [PICTURE_WIDTH, PICTURE_HEIGHT] as const);
    return rgb ? Uint8Array.from(rgb) : null;
  }

  /** Inbound RTP counters of the peer connection playing the video `selector`. */
  inbound(selector: string): Promise<ProbeInbound | null> {
    return this.page.$eval(selector, (v) => tutorialProbe.inbound(v as HTMLVideoElement));
  }

  /** Peer connections of the page still open. */
  openPeers(): Promise<number> {
    return this.page.evaluate(() => tutorialProbe.openPeers());
  }

  /**
   * Waits until the video `selector` presents frames and shows `sender`'s picture: closest to
   * that camera of all `cameras` (and the sender's, when it is a live picture), by a margin.
   */
  async expectPicture(selector: string, sender: Camera | LivePicture, cameras: readonly Camera[], timeoutMs = MEDIA_WAIT_MS): Promise<Seen> {
    const started = Date.now();
    await this.frames(selector);
    let distances: Record<string, number> = {};
    await waitFor(`${this.name}'s ${selector} showing ${sender.picture}`, async () => {
      const [picture, sent] = await Promise.all([this.snapshot(selector), 'reference' in sender ? sender.reference : sender.current()]);
      if (!picture || !sent) return false;
      const distance = (reference: Uint8Array) => Math.round(pictureDistance(picture, reference) * 10) / 10;
      distances = Object.fromEntries(cameras.map((c) => [c.picture, distance(c.reference)]));
      const own = distance(sent);
      distances[sender.picture] = own;
      const others = cameras.filter((c) => c !== sender).map((c) => distances[c.picture] ?? Infinity);
      return own < SAME_PICTURE && others.every((d) => d > own + MARGIN) && (await this.frames(selector)) >= 5;
    }, timeoutMs, 200).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; distances to each camera: ${JSON.stringify(distances)}`);
    });
    return { frames: await this.frames(selector), distances, afterMs: Date.now() - started };
  }

  /** Waits until the audio received for the video `selector` grows (packets and bytes), twice in a row. */
  async expectAudio(selector: string, timeoutMs = MEDIA_WAIT_MS): Promise<{ packetsReceived: number; bytesReceived: number }> {
    let last = { packetsReceived: 0, bytesReceived: 0 };
    let rises = 0;
    await waitFor(`${this.name}'s ${selector} receiving audio`, async () => {
      const now = (await this.inbound(selector))?.audio;
      if (!now) return false;
      rises = now.packetsReceived > last.packetsReceived && now.bytesReceived > last.bytesReceived ? rises + 1 : 0;
      last = now;
      return rises >= 2;
    }, timeoutMs, 500);
    assert.ok(last.packetsReceived > 0);
    return last;
  }
}

/** What the page probe reports of a peer connection's inbound RTP. */
export interface ProbeInbound {
  audio: { packetsReceived: number; bytesReceived: number };
  /** `codec`: the decoded codec's MIME type ('video/VP8') with its payload type, once known. */
  video: { framesDecoded: number; bytesReceived: number; codec?: { mimeType: string; payloadType: number } };
}
