/**
 * The media of one call: a MediaPipeline with a WebRtcEndpoint per party, cross-connected
 * (caller → callee, callee → caller), each answering its party's offer. `release()` may come at
 * any moment, also while `start()` is on its way: the pipeline is released once it exists, and
 * nothing is left behind.
 */
import type { KurentoClient, MediaPipeline, WebRtcEndpoint } from '@kurento-ts/client';
import type { CandidateQueue } from '@kurento-ts/tutorial-kit';
import type { Candidate } from './messages.js';

/** One party's side of the negotiation. */
export interface Leg {
  /** The party's SDP offer. */
  sdpOffer: string;
  /** The party's ICE candidates, handed to its endpoint as soon as it exists. */
  candidates: CandidateQueue;
  /** Receives the endpoint's own candidates, for the party's page. */
  onCandidate(candidate: Candidate): void;
}

/** Raised by start() when the call was released meanwhile. */
export class CallReleased extends Error {
  override readonly name = 'CallReleased';
}

/** A call's pipeline with its two endpoints. */
export class CallMedia {
  #pipeline: MediaPipeline | undefined;
  #endpoints: WebRtcEndpoint[] = [];
  #released = false;
  #releasing: Promise<void> | undefined;

  constructor(private readonly kurento: KurentoClient) {}

  /** Builds the pipeline and answers both offers: [caller's answer, callee's answer]. */
  async start(caller: Leg, callee: Leg): Promise<[string, string]> {
    const pipeline = await this.kurento.createMediaPipeline();
    this.#pipeline = pipeline;
    if (this.#released) {
      await pipeline.release();
      throw new CallReleased('the call ended while its pipeline was being made');
    }
    const [callerEndpoint, calleeEndpoint] = await Promise.all([pipeline.create('WebRtcEndpoint'), pipeline.create('WebRtcEndpoint')]);
    await Promise.all([
      callerEndpoint.on('IceCandidateFound', ({ candidate }) => caller.onCandidate({ ...candidate })),
      calleeEndpoint.on('IceCandidateFound', ({ candidate }) => callee.onCandidate({ ...candidate })),
      callerEndpoint.connect(calleeEndpoint),
      calleeEndpoint.connect(callerEndpoint),
    ]);
    caller.candidates.attach(callerEndpoint);
    callee.candidates.attach(calleeEndpoint);
    const answers = await Promise.all([callerEndpoint.processOffer(caller.sdpOffer), calleeEndpoint.processOffer(callee.sdpOffer)]);
    this.#endpoints = [callerEndpoint, calleeEndpoint];
    return answers;
  }

  /** Asks both endpoints for their candidates (Kurento announces them only once asked), after the answers are out. */
  async gatherCandidates(): Promise<void> {
    await Promise.all(this.#endpoints.map((e) => e.gatherCandidates()));
  }

  /** Releases the pipeline (and its endpoints), now or as soon as it exists. Idempotent. */
  release(): Promise<void> {
    this.#released = true;
    this.#releasing ??= this.#pipeline?.release();
    return this.#releasing ?? Promise.resolve();
  }
}
