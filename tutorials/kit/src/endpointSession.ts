/**
 * The session of a page with one WebRtcEndpoint of its own (Hello World, Magic Mirror, the
 * data-channel tutorial, the RTP receiver): a MediaPipeline per start, the page's offer answered,
 * candidates both ways, and the release of the pipeline on stop, a new start or a closed
 * socket, also while a start is still on its way (no pipeline is left behind). What the
 * endpoint is connected to is the tutorial's `wire` step; the messages are Kurento's loopback
 * ones (`start`, `onIceCandidate`, `stop`) unless the tutorial gives its own dialect.
 */
import type { KurentoClient, MediaPipeline, WebRtcEndpoint } from '@kurento-ts/client';
import { CandidateQueue } from './candidates.js';
import { answerError, parseLoopbackRequest, type Candidate, type ErrorMessage, type LoopbackReply } from './messages.js';
import type { PageSession } from './tutorial.js';

/** What a page asks, in a tutorial's words: `Params` are what its start carries besides the offer. */
export type SessionRequest<Params> =
  | { id: 'start'; sdpOffer: string; params: Params }
  | { id: 'candidate'; candidate: Candidate }
  | { id: 'stop' };

/** A tutorial's signalling messages for a session: how to read a page's, how to answer. */
export interface SessionDialect<Out, Params> {
  /** Parses and checks one text frame; throws BadMessage when it is not one of the tutorial's. */
  parse(text: string): SessionRequest<Params>;
  /** The message with the endpoint's SDP answer. */
  answer(sdpAnswer: string): Out;
  /** The message with one of the endpoint's ICE candidates. */
  candidate(candidate: Candidate): Out;
}

/** Kurento's loopback messages: start, onIceCandidate, stop → startResponse, iceCandidate, error. */
export const LOOPBACK_DIALECT: SessionDialect<LoopbackReply, undefined> = {
  parse: (text) => {
    const request = parseLoopbackRequest(text);
    switch (request.id) {
      case 'start':
        return { id: 'start', sdpOffer: request.sdpOffer, params: undefined };
      case 'onIceCandidate':
        return { id: 'candidate', candidate: request.candidate };
      case 'stop':
        return request;
    }
  },
  answer: (sdpAnswer) => ({ id: 'startResponse', sdpAnswer }),
  candidate: (candidate) => ({ id: 'iceCandidate', candidate }),
};

/** One start, as the tutorial's `wire` step sees it. */
export interface SessionStart<Out, Params = undefined> {
  readonly pipeline: MediaPipeline;
  /** The page's endpoint (created, not yet negotiated). */
  readonly endpoint: WebRtcEndpoint;
  /** What the page's start carried besides the offer. */
  readonly params: Params;
  /** Whether this start is still the page's (no stop, close or newer start since). */
  current(): boolean;
  /** Sends to the page while this start is current. */
  send(message: Out): void;
  /** Ends this start because its media failed (an Error event): the page gets `error`, the pipeline is released. */
  fail(message: string): void;
  /** Ends this start (the tutorial told the page why): the pipeline is released. */
  end(): void;
}

/** What a tutorial adds to the session. */
export interface SessionWiring<Out, Params = undefined> {
  /** Constructor parameters of the page's WebRtcEndpoint (`{useDataChannels: true}`, say). */
  endpointParams?: { useDataChannels?: boolean };
  /** Connects the endpoint (to itself, a filter, an RtpEndpoint...) and subscribes to events; runs before the offer is processed. */
  wire(start: SessionStart<Out, Params>): Promise<void>;
}

/** One page's session (see the module comment); `Out` is every message the tutorial's server sends. */
export class EndpointSession<Out extends { id: string }, Params = undefined> implements PageSession {
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
    private readonly send: (message: Out | ErrorMessage) => void,
    private readonly wiring: SessionWiring<Out, Params>,
    private readonly dialect: SessionDialect<Out, Params>,
    private readonly onFault: (error: unknown) => void = () => undefined,
  ) {}

  /** Handles one text frame from the page; failures are answered with `error`, never thrown. */
  async receive(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      const message = this.dialect.parse(text);
      switch (message.id) {
        case 'start':
          return await (this.#starting = this.#start(message.sdpOffer, message.params));
        case 'candidate':
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

  async #start(sdpOffer: string, params: Params): Promise<void> {
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
      const start: SessionStart<Out, Params> = {
        pipeline,
        endpoint,
        params,
        current,
        send: (message) => current() && this.send(message),
        fail: (message) => {
          if (!current()) return;
          this.send({ id: 'error', message });
          void this.#release();
        },
        end: () => current() && void this.#release(),
      };
      await Promise.all([
        endpoint.on('IceCandidateFound', ({ candidate }) => current() && this.send(this.dialect.candidate(candidate))),
        this.wiring.wire(start),
      ]);
      const sdpAnswer = await endpoint.processOffer(sdpOffer);
      if (!current()) return;
      this.send(this.dialect.answer(sdpAnswer));
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
