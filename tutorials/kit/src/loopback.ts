/**
 * The session of a page that sends its camera into a WebRtcEndpoint and gets something back on
 * the same endpoint (Hello World, Magic Mirror, the data-channel tutorial): Kurento's `start`,
 * `onIceCandidate` and `stop` messages, a MediaPipeline per start, candidates both ways, and the
 * release of the pipeline on `stop`, a new `start` or a closed socket, also while a `start` is
 * still on its way (no pipeline is left behind). What sits between the endpoint and itself is
 * the tutorial's: its `wire` step.
 */
import type { KurentoClient, MediaPipeline, WebRtcEndpoint } from '@kurento-ts/client';
import { CandidateQueue } from './candidates.js';
import { answerError, parseLoopbackRequest, type LoopbackReply } from './messages.js';
import type { PageSession } from './tutorial.js';

/** One start, as the tutorial's `wire` step sees it. */
export interface LoopbackStart<Out> {
  readonly pipeline: MediaPipeline;
  /** The page's endpoint (created, not yet negotiated). */
  readonly endpoint: WebRtcEndpoint;
  /** Whether this start is still the page's (no stop, close or newer start since). */
  current(): boolean;
  /** Sends to the page while this start is current. */
  send(message: Out): void;
  /** Ends this start because its media failed (an Error event): the page gets `error`, the pipeline is released. */
  fail(message: string): void;
}

/** What a loopback tutorial adds to the session. */
export interface LoopbackWiring<Out> {
  /** Constructor parameters of the page's WebRtcEndpoint (`{useDataChannels: true}`, say). */
  endpointParams?: { useDataChannels?: boolean };
  /** Connects what goes between the endpoint and itself, and subscribes to events; runs before the offer is processed. */
  wire(start: LoopbackStart<Out>): Promise<void>;
}

/** One page's loopback session (see the module comment). */
export class LoopbackSession<Out extends { id: string }> implements PageSession {
  /** Bumped by every start, stop and close: work started under an older value is abandoned. */
  #generation = 0;
  #pipeline: MediaPipeline | undefined;
  /** The page's candidates: kept until the endpoint has the offer, then straight to it. One bad candidate is reported, but does not end the session. */
  readonly #candidates = new CandidateQueue((e) => this.#report(e));
  #closed: Promise<void> | undefined;
  /** The latest start, which close() waits for: a pipeline it creates late is released by it. */
  #starting: Promise<void> | undefined;

  constructor(
    private readonly kurento: KurentoClient,
    private readonly send: (message: Out | LoopbackReply) => void,
    private readonly wiring: LoopbackWiring<Out>,
    private readonly onFault: (error: unknown) => void = () => undefined,
  ) {}

  /** Handles one text frame from the page; failures are answered with `error`, never thrown. */
  async receive(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      const message = parseLoopbackRequest(text);
      switch (message.id) {
        case 'start':
          return await (this.#starting = this.#start(message.sdpOffer));
        case 'onIceCandidate':
          return this.#candidates.add(message.candidate);
        case 'stop':
          return await this.#release();
      }
    } catch (e) {
      this.#report(e);
    }
  }

  #report(e: unknown): void {
    answerError(e, this.send, this.onFault);
  }

  /** The socket closed: releases everything (a start under way included); later messages are ignored. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#release();
      await this.#starting?.catch(() => undefined);
    })();
    return this.#closed;
  }

  async #start(sdpOffer: string): Promise<void> {
    // A second start replaces the first session. The generation is taken synchronously, so that
    // a stop, close or other start arriving from here on makes this one stale.
    const previous = this.#reset();
    const generation = this.#generation;
    await this.#releasePipeline(previous);
    const current = (): boolean => generation === this.#generation;
    try {
      const pipeline = await this.kurento.createMediaPipeline();
      if (!current()) {
        // Stopped (or closed) while the pipeline was being made: nobody else knows it.
        await pipeline.release();
        return;
      }
      this.#pipeline = pipeline;
      const endpoint = await pipeline.create('WebRtcEndpoint', this.wiring.endpointParams ?? {});
      await Promise.all([
        endpoint.on('IceCandidateFound', ({ candidate }) => current() && this.send({ id: 'iceCandidate', candidate })),
        this.wiring.wire({
          pipeline,
          endpoint,
          current,
          send: (message) => current() && this.send(message),
          fail: (message) => {
            if (!current()) return;
            this.send({ id: 'error', message });
            void this.#release();
          },
        }),
      ]);
      const sdpAnswer = await endpoint.processOffer(sdpOffer);
      if (!current()) return;
      this.send({ id: 'startResponse', sdpAnswer });
      this.#candidates.attach(endpoint);
      // Kurento announces its candidates (IceCandidateFound) only once asked to gather.
      await endpoint.gatherCandidates();
    } catch (e) {
      // A stop or close during the start makes the remaining requests fail: that is no error.
      if (!current()) return;
      await this.#release();
      throw e;
    }
  }

  /** Ends the current session (and any start in progress); returns its pipeline to release. */
  #reset(): MediaPipeline | undefined {
    this.#generation++;
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    this.#candidates.clear();
    return pipeline;
  }

  async #releasePipeline(pipeline: MediaPipeline | undefined): Promise<void> {
    // Releasing the pipeline releases its elements (and ends the subscriptions) with them.
    if (pipeline) await pipeline.release().catch((e: unknown) => this.onFault(e));
  }

  #release(): Promise<void> {
    return this.#releasePipeline(this.#reset());
  }
}
