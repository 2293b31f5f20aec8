/**
 * One viewer of a presentation: a WebRtcEndpoint in the presentation's pipeline, fed by the
 * presenter's endpoint, answering the viewer's offer once the presenter is live. It ends when
 * the viewer stops or leaves (its endpoint is released, also if it is still being made) or
 * when the presentation ends (whose pipeline takes the endpoint with it).
 */
import type { WebRtcEndpoint } from '@kurento-ts/client';
import { errorMessage, type FaultListener } from '@kurento-ts/tutorial-kit';
import { NO_PRESENTER } from './messages.js';
import type { Member, Presentation, Viewer } from './presentation.js';

/** One viewer's endpoint (see the module comment). */
export class Viewing implements Viewer {
  #endpoint: WebRtcEndpoint | undefined;
  #ended = false;
  /** Whether the viewer got its viewerResponse. */
  #answered = false;

  constructor(readonly member: Member, readonly presentation: Presentation, private readonly onFault: FaultListener) {}

  /** Connects the viewer once the presenter is live; answers viewerResponse either way. */
  async start(sdpOffer: string): Promise<void> {
    try {
      if (!this.presentation.add(this)) return this.#reject(NO_PRESENTER);
      const live = await this.presentation.whenLive();
      if (this.#ended || !live) return;
      const endpoint = (this.#endpoint = await live.pipeline.create('WebRtcEndpoint'));
      if (this.#ended) return void (await endpoint.release());
      await endpoint.on('IceCandidateFound', ({ candidate }) => this.member.send({ id: 'iceCandidate', candidate: { ...candidate } }));
      this.member.candidates.attach(endpoint);
      const sdpAnswer = await endpoint.processOffer(sdpOffer);
      await live.endpoint.connect(endpoint);
      if (this.#ended) return;
      this.#answered = true;
      this.member.send({ id: 'viewerResponse', response: 'accepted', sdpAnswer });
      await endpoint.gatherCandidates();
    } catch (e) {
      if (this.#ended) return; // the end released what the remaining requests needed
      this.onFault(e);
      this.#reject(`Could not start viewing: ${errorMessage(e)}`);
      await this.stop();
    }
  }

  /** The viewer stopped or left: its endpoint is released. Idempotent. */
  async stop(): Promise<void> {
    this.#ended = true;
    this.presentation.remove(this);
    await this.#endpoint?.release().catch(this.onFault);
  }

  presentationEnded(message: string): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#answered) this.member.send({ id: 'stopCommunication', message });
    else this.#reject(message);
    this.member.presentationEnded(this.presentation);
  }

  #reject(message: string): void {
    this.member.send({ id: 'viewerResponse', response: 'rejected', message });
  }
}
