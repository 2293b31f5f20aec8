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
  /** false: no audio or video m-lines at all. */
  media?: boolean;
  /** Data channels the page opens. */
  dataChannels?: { label: string; options?: RTCDataChannelInit }[];
}

/** A test message the page builds from its sequence number (and checks on arrival). */
export interface TestMessage {
  seq: number;
  size: number;
  kind: 'text' | 'binary';
}

/** What the page's `dcInfo(name)` returns for one channel. */
export interface ChannelInfo {
  label: string;
  id: number | null;
  protocol: string;
  ordered: boolean;
  maxRetransmits: number | null;
  maxPacketLifeTime: number | null;
  readyState: RTCDataChannelState;
  byServer: boolean;
  opened: boolean;
  closed: boolean;
  receivedBytes: number;
  received: (TestMessage & { intact: boolean })[];
}

/** What the page's `stats(name)` returns. */
export interface PeerStats {
  connectionState: string;
  /** First video frame shown, ms after the answer. */
  firstFrameMs: number | null;
  /** Connection state 'connected' (ICE and DTLS done), ms after the answer. */
  connectedMs: number | null;
  inVideo: { packetsReceived: number; framesDecoded: number; keyFramesDecoded: number; pliCount: number; firCount: number; framesDropped: number; codec: string | null } | null;
  /** loudestRms: the loudest the received audio has been (RMS over 43 ms, 0..1; 0: silence so far). */
  inAudio: { packetsReceived: number; loudestRms: number; codec: string | null } | null;
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
    halfColours(name: string): [[number, number, number], [number, number, number]] | null;
    closePeer(name: string): void;
    dcSend(name: string, label: string, messages: TestMessage[]): void;
    dcFlood(name: string, label: string, size: number, total: number, ms: number, from?: number): Promise<{ sent: number; bytes: number }>;
    dcInfo(name: string): ChannelInfo[];
    dcClose(name: string, label: string): void;
    dcOpen(name: string, label: string): void;
    answerOffer(name: string, sdp: string): Promise<string>;
    dcStats(name: string): Promise<{ label: string; id: number; messagesSent: number; messagesReceived: number }[]>;
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

  async endpoint(name: string, params: { useDataChannels?: boolean } = {}): Promise<WebRtcEndpoint> {
    const endpoint = await this.pipeline.create('WebRtcEndpoint', params);
    this.endpoints.set(name, endpoint);
    // A candidate may come after the tab closed (a test that ends early): nothing to deliver then.
    await endpoint.on('IceCandidateFound', (e) => void this.tab.evaluate(([n, c]) => window.addCandidate(n, c), [name, e.candidate] as const).catch(() => undefined));
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

  /** The endpoint offers, the browser side answers; returns both SDPs. */
  async answer(name: string): Promise<{ offer: string; answer: string }> {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) throw new Error(`no endpoint ${name}`);
    const offer = await endpoint.generateOffer();
    const answer = await this.tab.evaluate(([n, o]) => window.answerOffer(n, o), [name, offer] as const);
    await endpoint.processAnswer(answer);
    await endpoint.gatherCandidates();
    return { offer, answer };
  }

  stats(name: string): Promise<PeerStats> {
    return this.tab.evaluate((n) => window.stats(n), name);
  }

  /** Peer `name`'s data channels as the page sees them. */
  channels(name: string): Promise<ChannelInfo[]> {
    return this.tab.evaluate((n) => window.dcInfo(n), name);
  }

  /** Sends test messages on peer `name`'s channel `label`. */
  send(name: string, label: string, messages: TestMessage[]): Promise<void> {
    return this.tab.evaluate(([n, l, m]) => window.dcSend(n, l, m), [name, label, messages] as const);
  }

  async close(): Promise<void> {
    await this.tab.close();
    await this.pipeline.release();
  }
}
