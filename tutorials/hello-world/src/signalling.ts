/**
 * One browser's Hello World session on the `/helloworld` WebSocket: a MediaPipeline with a
 * WebRtcEndpoint connected to itself, answered with `processOffer`, candidates both ways, the
 * endpoint's events forwarded to the page. `stop`, a new `start` or a closed socket releases
 * the pipeline, also while a `start` is still on its way (no pipeline is left behind).
 */
import type { KurentoClient, MediaPipeline } from '@kurento-ts/client';
import { answerError, CandidateQueue, type PageSession } from '@kurento-ts/tutorial-kit';
import { forwardedEvents, parseBrowserMessage, type ForwardedEvent, type ServerMessage } from './messages.js';

export class HelloWorldSession implements PageSession {
  /** Bumped by every start, stop and close: work started under an older value is abandoned. */
  #generation = 0;
  #pipeline: MediaPipeline | undefined;
  /** The browser's candidates: kept until the endpoint has the offer, then straight to it. One bad candidate is reported, but does not end the session. */
  readonly #candidates = new CandidateQueue((e) => this.#report(e));
  #closed: Promise<void> | undefined;
  /** The latest start, which close() waits for: a pipeline it creates late is released by it. */
  #starting: Promise<void> | undefined;

  constructor(
    private readonly kurento: KurentoClient,
    private readonly send: (message: ServerMessage) => void,
    private readonly onFault: (error: unknown) => void = () => undefined,
  ) {}

  /** Handles one text frame from the browser; failures are answered with `error`, never thrown. */
  async receive(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      const message = parseBrowserMessage(text);
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
    // A second Start replaces the first session. The generation is taken synchronously, so that
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
      const endpoint = await pipeline.create('WebRtcEndpoint');
      await Promise.all([
        ...forwardedEvents.map((name) => endpoint.on(name, (data) => this.#forward(generation, name, data))),
        endpoint.on('IceCandidateFound', ({ candidate }) => current() && this.send({ id: 'iceCandidate', candidate })),
        pipeline.on('Error', (data) => this.#forward(generation, 'Error', data)),
        endpoint.connect(endpoint), // the loopback: what the browser sends comes back to it
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

  #forward(generation: number, name: ForwardedEvent, data: object): void {
    if (generation === this.#generation) this.send({ id: 'event', name, data: { ...data } });
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
    // Releasing the pipeline releases its endpoint (and ends the subscriptions) with it.
    if (pipeline) await pipeline.release().catch((e: unknown) => this.onFault(e));
  }

  #release(): Promise<void> {
    return this.#releasePipeline(this.#reset());
  }
}
