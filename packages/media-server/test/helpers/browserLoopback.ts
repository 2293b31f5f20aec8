/**
 * The Hello World driven the way a Kurento application drives it, with the official
 * kurento-client: the fixture page (a real Chromium peer) sends its camera to a WebRtcEndpoint
 * connected to itself. Shared by the integration and the hardening tests.
 */
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { launchChromium, serve, type Browser, type Site } from '@kurento-ts/test-utils';
import kurentoClient, { type KurentoClientInstance, type MediaPipeline, type WebRtcEndpoint } from 'kurento-client';
import type { Page } from 'playwright-core';
import type { MediaServer, ServerConfig } from '../../src/index.js';
import { startServer } from './server.js';

/** The fixture page's HTML. */
export const LOOPBACK_PAGE = readFileSync(new URL('../fixtures/loopback-page.html', import.meta.url), 'utf8');

/** What a browser test file shares: a server, a Chromium, the fixture page served. */
export interface BrowserFixture {
  server: MediaServer;
  browser: Browser;
  page: Site;
}

/** Starts the fixture (the server with `overrides`) before the file's tests and stops it after them. */
export function useBrowserFixture(overrides: Partial<ServerConfig> = {}): BrowserFixture {
  const fixture = {} as BrowserFixture;
  before(async () => {
    fixture.server = await startServer(overrides);
    fixture.browser = await launchChromium();
    fixture.page = await serve({ '/': LOOPBACK_PAGE });
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.page?.close();
    await fixture.server?.stop();
  });
  return fixture;
}

/** The events a Hello World application listens to. */
export const HELLO_WORLD_EVENTS = ['IceCandidateFound', 'IceGatheringDone', 'IceComponentStateChanged', 'NewCandidatePairSelected', 'ConnectionStateChanged', 'MediaStateChanged', 'MediaFlowInStateChanged', 'MediaFlowOutStateChanged', 'MediaTranscodingStateChanged'] as const;

export interface BrowserLoopback {
  pipeline: MediaPipeline;
  endpoint: WebRtcEndpoint;
  /** Event types received, in order. */
  events: string[];
  /** The server's candidates as announced (`candidate:...` lines). */
  serverCandidates: string[];
  answer: string;
  /** Date.now() when the offer was made. */
  offerAt: number;
}

/** Opens `pageUrl` in `tab` and plays the application server for a loopback call (`beforeOffer` runs once the endpoint is connected to itself, before any media). */
export async function startBrowserLoopback(kurento: KurentoClientInstance, tab: Page, pageUrl: string, codec?: string, beforeOffer?: (endpoint: WebRtcEndpoint) => Promise<void>): Promise<BrowserLoopback> {
  const pipeline = await kurento.create('MediaPipeline');
  const endpoint = await pipeline.create('WebRtcEndpoint');
  const IceCandidate = kurentoClient.getComplexType('IceCandidate');
  const events: string[] = [];
  const serverCandidates: string[] = [];
  for (const type of HELLO_WORLD_EVENTS) endpoint.on(type, () => events.push(type));
  endpoint.on('IceCandidateFound', (e) => {
    const candidate = e['candidate'] as RTCIceCandidateInit;
    serverCandidates.push(candidate.candidate ?? '');
    void tab.evaluate((c) => window.addRemoteCandidate(c), candidate);
  });
  await tab.exposeFunction('onLocalCandidate', (c: Record<string, unknown>) => void endpoint.addIceCandidate(IceCandidate(c)));
  await endpoint.connect(endpoint);
  await beforeOffer?.(endpoint);
  await tab.goto(pageUrl);
  const offer = await tab.evaluate((c) => window.startCall(c), codec);
  const offerAt = Date.now();
  const answer = await endpoint.processOffer(offer);
  await tab.evaluate((sdp) => window.setAnswer(sdp), answer);
  await endpoint.gatherCandidates();
  return { pipeline, endpoint, events, serverCandidates, answer, offerAt };
}

/** What the fixture page's `collect()` reports. */
export interface PageStats {
  connectionState: string;
  firstFrameMs: number | null;
  pair?: { availableOutgoingBitrate?: number };
  video?: { framesDecoded: number; frameWidth: number; frameHeight: number };
  audio?: { packetsReceived: number };
}

declare global {
  interface Window {
    startCall(codec?: string): Promise<string>;
    setAnswer(sdp: string): Promise<void>;
    addRemoteCandidate(c: RTCIceCandidateInit): Promise<void>;
    onLocalCandidate(c: RTCIceCandidateInit): void;
    collect(): Promise<PageStats>;
    comparePictures(): { remoteVsBestLocal: number; shapeVsBestLocal: number; remoteVsBlack: number; size: string } | null;
    localSsrcs(): Promise<number[]>;
    hangUp(): void;
  }
}
