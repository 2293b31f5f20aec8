/**
 * A tab of real Chromium peers (fixtures/peers-page.html), each negotiated with its own
 * WebRtcEndpoint by our SDK, as an application server does: for tests of the graph with
 * several senders and receivers.
 */
import { readFileSync } from 'node:fs';
import type { KurentoClient, MediaPipeline, WebRtcEndpoint } from '@kurento-ts/client';
import { serve, type Browser, type Site } from '@kurento-ts/test-utils';
import type { Page } from 'playwright-core';

const PAGE = readFileSync(new URL('../fixtures/peers-page.html', import.meta.url), 'utf8');
const PROBE = new URL('../../../test-utils/src/page-probe.js', import.meta.url).pathname;

/** Serves the peers page. */
export function servePeersPage(): Promise<Site> {
  return serve({ '/': PAGE });
}

/** What a peer sends and receives. */
export interface PeerOptions {
  /** 'camera', or a canvas source `colour@WIDTHxHEIGHT`. */
  send?: string;
  receive?: boolean;
  /** The only video codecs it offers, in order. */
  videoCodecs?: string[];
}

/** What the page's `stats(name)` returns. */
export interface PeerStats {
  connectionState: string;
  firstFrameMs: number | null;
  inVideo: { packetsReceived: number; framesDecoded: number; keyFramesDecoded: number; pliCount: number; firCount: number; framesDropped: number; codec: string | null } | null;
  inAudio: { packetsReceived: number; codec: string | null } | null;
  outVideo: { packetsSent: number; framesEncoded: number; keyFramesEncoded: number; pliCount: number; firCount: number; codec: string | null } | null;
}

declare global {
  interface Window {
    ready?: boolean;
    createPeer(name: string, options: PeerOptions): Promise<string>;
    setAnswer(name: string, sdp: string): Promise<void>;
    addCandidate(name: string, candidate: RTCIceCandidateInit): Promise<void>;
    onCandidate(name: string, candidate: RTCIceCandidateInit): void;
    stats(name: string): Promise<PeerStats>;
    pictureDistance(name: string, source: string): { remoteVsBestLocal: number; size: string } | null;
    meanColour(name: string): [number, number, number] | null;
    closePeer(name: string): void;
  }
}

/** One tab of peers, each negotiated with its own WebRtcEndpoint (the application server's part). */
export class Peers {
  readonly endpoints = new Map<string, WebRtcEndpoint>();
  private constructor(readonly tab: Page, readonly pipeline: MediaPipeline) {}

  static async open(browser: Browser, site: Site, kurento: KurentoClient, pipeline?: MediaPipeline): Promise<Peers> {
    const tab = await browser.context.newPage();
    const peers = new Peers(tab, pipeline ?? (await kurento.createMediaPipeline()));
    await tab.exposeFunction('onCandidate', (name: string, c: RTCIceCandidateInit) => {
      void peers.endpoints.get(name)?.addIceCandidate({ candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? '0', sdpMLineIndex: c.sdpMLineIndex ?? 0 });
    });
    await tab.addInitScript({ path: PROBE });
    await tab.goto(site.url);
    await tab.waitForFunction(() => window.ready === true);
    return peers;
  }

  async endpoint(name: string): Promise<WebRtcEndpoint> {
    const endpoint = await this.pipeline.create('WebRtcEndpoint');
    this.endpoints.set(name, endpoint);
    await endpoint.on('IceCandidateFound', (e) => void this.tab.evaluate(([n, c]) => window.addCandidate(n, c), [name, e.candidate] as const));
    return endpoint;
  }

  /** The browser side offers, the endpoint answers; returns both SDPs. */
  async negotiate(name: string, options: PeerOptions): Promise<{ offer: string; answer: string }> {
    const endpoint = this.endpoints.get(name) ?? (await this.endpoint(name));
    const offer = await this.tab.evaluate(([n, o]) => window.createPeer(n, o), [name, options] as const);
    const answer = await endpoint.processOffer(offer);
    await this.tab.evaluate(([n, a]) => window.setAnswer(n, a), [name, answer] as const);
    await endpoint.gatherCandidates();
    return { offer, answer };
  }

  stats(name: string): Promise<PeerStats> {
    return this.tab.evaluate((n) => window.stats(n), name);
  }

  async close(): Promise<void> {
    await this.tab.close();
    await this.pipeline.release();
  }
}
