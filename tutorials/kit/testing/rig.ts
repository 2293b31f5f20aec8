/**
 * The signalling tests' rig: a media server of the test's own (so that it outlives the app's
 * close()), the tutorial started in-process on a free port against it (`--ws-uri`), a Kurento
 * client to look at the truth, and stand-in browsers: WebRtcEndpoints on a pipeline of the rig's
 * own that make offers and do ICE as a page would, so the whole exchange runs without Chromium.
 */
import { after, afterEach, before, test } from 'node:test';
import type { KurentoClient as Client, MediaPipeline, WebRtcEndpoint } from '@kurento-ts/client';
import { KurentoClient } from '@kurento-ts/client';
import { MediaServer } from '@kurento-ts/media-server';
import { waitFor } from '@kurento-ts/test-utils';
import { startTutorial, type TutorialApp } from '../src/app.js';
import type { Candidate } from '../src/messages.js';
import { parseOptions } from '../src/options.js';
import type { Tutorial } from '../src/tutorial.js';
import { unrefLeakedUdpSockets } from './leaks.js';
import { expectPipelines, pipelineShapes, sinkCounts, type PipelineShape } from './mediaServer.js';
import { RawClient } from './rawClient.js';

/** How a stand-in's candidates travel in a tutorial's messages. */
export interface CandidateRoute {
  /** The message that carries one of the stand-in's candidates to the app. */
  outgoing(candidate: Candidate): object;
  /** The candidate for this stand-in in a message from the app, if the message carries one. */
  incoming(message: { id: string }): Candidate | undefined;
}

/** Kurento's usual route: `onIceCandidate {candidate}` out, `iceCandidate {candidate}` in. */
export const PLAIN_ROUTE: CandidateRoute = {
  outgoing: (candidate) => ({ id: 'onIceCandidate', candidate }),
  incoming: (message) => (message.id === 'iceCandidate' ? (message as { candidate?: Candidate }).candidate : undefined),
};

/** A page played by a WebRtcEndpoint of the rig's pipeline. */
export class StandIn {
  private constructor(readonly endpoint: WebRtcEndpoint) {}

  /** A new stand-in on `pipeline` trading candidates with the app through `client` by `route`. */
  static async create(pipeline: MediaPipeline, client: RawClient<{ id: string }>, route: CandidateRoute): Promise<StandIn> {
    const endpoint = await pipeline.create('WebRtcEndpoint');
    await endpoint.on('IceCandidateFound', ({ candidate }) => client.send(route.outgoing({ ...candidate })));
    const standIn = new StandIn(endpoint);
    client.ws.on('message', (data) => {
      const candidate = route.incoming(JSON.parse(String(data)) as { id: string });
      if (candidate) void standIn.addCandidate(candidate).catch(() => undefined);
    });
    return standIn;
  }

  /** Its SDP offer. */
  offer(): Promise<string> {
    return this.endpoint.generateOffer();
  }

  /** Applies the app's answer and starts its own ICE. */
  async answer(sdpAnswer: string): Promise<void> {
    await this.endpoint.processAnswer(sdpAnswer);
    await this.endpoint.gatherCandidates();
  }

  /** A candidate from the app's media server. */
  addCandidate(candidate: Candidate): Promise<void> {
    return this.endpoint.addIceCandidate(candidate);
  }

  /** Resolves when ICE and DTLS are up (ConnectionStateChanged to CONNECTED), within `timeoutMs`. */
  async connected(timeoutMs = 10_000): Promise<void> {
    if ((await this.endpoint.getConnectionState()) === 'CONNECTED') return;
    await waitFor('a stand-in connected', async () => (await this.endpoint.getConnectionState()) === 'CONNECTED', timeoutMs, 100);
  }
}

/** A started rig. */
export interface SignallingRig {
  /** The media server both the app and the rig use. */
  server: MediaServer;
  /** The tutorial, started in-process. */
  app: TutorialApp;
  /** The rig's own client of the media server. */
  kurento: Client;
  /** wss:// address of the tutorial's signalling socket. */
  socketUrl: string;
  /** The stand-ins' pipeline (not counted as the app's). */
  standIns: MediaPipeline;
  /** Faults the app reported (its log), for the tests to check and empty. */
  faults: unknown[];
  /** A raw client on the signalling socket. */
  open<In extends { id: string }>(headers?: Record<string, string>): Promise<RawClient<In>>;
  /** A stand-in page for `client` (candidates by `route`, Kurento's usual one by default), released by settle(). */
  standIn(client: RawClient<{ id: string }>, route?: CandidateRoute): Promise<StandIn>;
  /** A raw client with a stand-in that sends its offer at once, in the message `message` makes of it. */
  offer<In extends { id: string }>(message: (sdpOffer: string) => object, route?: CandidateRoute): Promise<{ client: RawClient<In>; standIn: StandIn }>;
  /**
   * After a test: closes the clients it left open (only a failed test does), waits until the app
   * has forgotten every page and holds no pipeline, then releases the stand-ins.
   */
  settle(): Promise<void>;
  /** For each app element that feeds others, how many (the media server's sink connections), sorted. */
  feeds(): Promise<number[]>;
  /** The app's pipelines (the stand-ins' left out). */
  appPipelines(): Promise<PipelineShape[]>;
  /** Waits until the app's pipelines have these element counts ([]: none), and stay so a moment. */
  expectAppPipelines(elementsPerPipeline: readonly number[]): Promise<PipelineShape[]>;
  /** Stops the app, the client and the media server; fails if the media server left a UDP socket open. */
  close(): Promise<void>;
}

/** Starts the rig for `tutorial`. */
export async function startSignallingRig<Out>(tutorial: Tutorial<Out>): Promise<SignallingRig> {
  const server = await MediaServer.start({ port: 0, networkInterfaces: ['127.0.0.1'], logLevel: 'warn' });
  const faults: unknown[] = [];
  const options = parseOptions(tutorial, ['--port', '0', '--ws-uri', server.url], {});
  if (options === 'help') throw new Error('unexpected --help');
  const app = await startTutorial(tutorial, options, (e) => faults.push(e));
  const kurento = await KurentoClient.connect(app.kurentoUrl, { reconnect: false });
  const standIns = await kurento.createMediaPipeline();
  const socketUrl = `${app.url.replace(/^https/, 'wss').replace(/\/$/, '')}${tutorial.signallingPath}`;
  const ignore = new Set([standIns.id]);
  const clients = new Set<RawClient<{ id: string }>>();
  const made: StandIn[] = [];
  const open = async <In extends { id: string }>(headers?: Record<string, string>): Promise<RawClient<In>> => {
    const client = await RawClient.open<In>(socketUrl, headers);
    clients.add(client);
    client.ws.once('close', () => clients.delete(client));
    return client;
  };
  const standIn = async (client: RawClient<{ id: string }>, route: CandidateRoute = PLAIN_ROUTE): Promise<StandIn> => {
    const created = await StandIn.create(standIns, client, route);
    made.push(created);
    return created;
  };
  return {
    server,
    app,
    kurento,
    socketUrl,
    standIns,
    faults,
    open,
    standIn,
    offer: async <In extends { id: string }>(message: (sdpOffer: string) => object, route?: CandidateRoute) => {
      const client = await open<In>();
      const made = await standIn(client, route);
      client.send(message(await made.offer()));
      return { client, standIn: made };
    },
    settle: async () => {
      await Promise.all([...clients].map((c) => c.close()));
      await waitFor('every page session closed', () => app.sessions === 0);
      await expectPipelines(kurento, [], ignore);
      await Promise.all(made.splice(0).map((s) => s.endpoint.release()));
    },
    feeds: () => sinkCounts(kurento, ignore),
    appPipelines: () => pipelineShapes(kurento, ignore),
    expectAppPipelines: (counts) => expectPipelines(kurento, counts, ignore),
    close: async () => {
      await standIns.release().catch(() => undefined);
      await kurento.close();
      await app.close();
      await server.stop();
      const leaked = await unrefLeakedUdpSockets();
      if (leaked.length > 0) {
        // The leaked session's timers would keep this test process alive for ever: end it once the failure is reported.
        setTimeout(() => process.exit(1), 2000);
        throw new Error(`the media server left ${leaked.length} UDP socket(s) open after stop(): ${leaked.join(', ')} (a leak of the media server's; the test process is ended in 2 s)`);
      }
    },
  };
}

/**
 * The hooks of a signalling test file: the rig started before its tests, settled after each,
 * closed after all. Returns the rig (once started).
 */
export function useSignallingRig<Out>(tutorial: Tutorial<Out>): () => SignallingRig {
  let rig: SignallingRig | undefined;
  before(async () => {
    rig = await startSignallingRig(tutorial);
  });
  afterEach(async () => {
    await rig?.settle();
  });
  after(async () => {
    await rig?.close();
  });
  return () => {
    if (!rig) throw new Error('the signalling rig is not started');
    return rig;
  };
}

/**
 * Registers the tests of a socket that closes `delaysMs` into a start (as `start(delayMs)` opens
 * it): the app must leave no pipeline behind.
 */
export function closedDuringStartTests<In extends { id: string }>(rig: () => SignallingRig, start: (delayMs: number) => Promise<RawClient<In>>, delaysMs: readonly number[] = [0, 20, 80]): void {
  for (const delayMs of delaysMs) {
    test(`a socket closed ${delayMs} ms into a start leaves nothing behind`, async () => {
      const client = await start(delayMs);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      client.ws.terminate();
      await rig().expectAppPipelines([]);
    });
  }
}
