/**
 * One presenter's broadcast: a MediaPipeline with the presenter's WebRtcEndpoint, which feeds
 * the WebRtcEndpoint of each viewer (see Viewing). It ends when the presenter stops or leaves, or
 * when its set-up fails: every viewer is told then, and the pipeline (with every viewer's
 * endpoint) is released, also if that happens while it is still being made.
 */
import type { KurentoClient, MediaPipeline, WebRtcEndpoint } from '@kurento-ts/client';
import { errorMessage, type CandidateQueue, type FaultListener } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';

/** A page as a presentation sees it (the presenter's, or a viewer's). */
export interface Member {
  readonly candidates: CandidateQueue;
  send(message: ServerMessage): void;
  /** The presentation this page took part in is over. */
  presentationEnded(presentation: Presentation): void;
}

/** The media a viewer connects to. */
export interface Live {
  pipeline: MediaPipeline;
  endpoint: WebRtcEndpoint;
}

/** What a presentation asks of its viewers when it ends. */
export interface Viewer {
  readonly member: Member;
  /** The presentation ended with `message`: tell the viewer (as its answer, if it has none yet). */
  presentationEnded(message: string): void;
}

/** One presenter's broadcast (see the module comment). */
export class Presentation {
  readonly #viewers = new Set<Viewer>();
  #pipeline: MediaPipeline | undefined;
  #ended = false;
  #releasing: Promise<void> | undefined;
  /** Settles once the presenter's endpoint answered (undefined: the presentation ended first). */
  readonly #live: Promise<Live | undefined>;
  #settle: (live: Live | undefined) => void = () => undefined;

  /** `onEnd` runs once, when the presentation ends. */
  constructor(
    readonly presenter: Member,
    private readonly kurento: KurentoClient,
    private readonly onFault: FaultListener,
    private readonly onEnd: () => void,
  ) {
    this.#live = new Promise((resolve) => (this.#settle = resolve));
  }

  /** Whether the presentation is over. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Sets up the presenter's endpoint with its offer; answers presenterResponse either way. */
  async start(sdpOffer: string): Promise<void> {
    try {
      const pipeline = (this.#pipeline = await this.kurento.createMediaPipeline());
      if (this.#ended) return void (await pipeline.release());
      const endpoint = await pipeline.create('WebRtcEndpoint');
      await endpoint.on('IceCandidateFound', ({ candidate }) => this.presenter.send({ id: 'iceCandidate', candidate: { ...candidate } }));
      this.presenter.candidates.attach(endpoint);
      const sdpAnswer = await endpoint.processOffer(sdpOffer);
      if (this.#ended) return;
      this.presenter.send({ id: 'presenterResponse', response: 'accepted', sdpAnswer });
      this.#settle({ pipeline, endpoint });
      await endpoint.gatherCandidates();
    } catch (e) {
      if (this.#ended) return; // the end released what the remaining requests needed
      this.onFault(e);
      this.presenter.send({ id: 'presenterResponse', response: 'rejected', message: `Could not start presenting: ${errorMessage(e)}` });
      await this.end('The presenter could not start');
    }
  }

  /** The presenter's media once it is live, for a viewer (undefined if the presentation ends first). */
  whenLive(): Promise<Live | undefined> {
    return this.#live;
  }

  /** A viewer joins; false if the presentation is already over. */
  add(viewer: Viewer): boolean {
    if (this.#ended) return false;
    this.#viewers.add(viewer);
    return true;
  }

  /** A viewer left (it releases its own endpoint). */
  remove(viewer: Viewer): void {
    this.#viewers.delete(viewer);
  }

  /** Viewers now (answered or not). */
  get viewers(): number {
    return this.#viewers.size;
  }

  /** Ends the presentation: every viewer is told `message`, the pipeline released. Idempotent. */
  end(message: string): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      this.#settle(undefined);
      this.onEnd();
      for (const viewer of this.#viewers) viewer.presentationEnded(message);
      this.#viewers.clear();
      this.presenter.presentationEnded(this);
    }
    // Releasing the pipeline releases every viewer's endpoint with it.
    this.#releasing ??= this.#pipeline?.release().catch(this.onFault);
    return this.#releasing ?? Promise.resolve();
  }
}
