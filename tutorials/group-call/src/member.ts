/**
 * One participant of a room, on the media server: its outgoing WebRtcEndpoint (what its page
 * sends, made when it joins) and an incoming WebRtcEndpoint per other participant it receives,
 * fed by that participant's outgoing one. The page's ICE candidates for each endpoint wait in a
 * queue of their own until the endpoint exists. An incoming endpoint cancelled while it is being
 * made (its sender left, or this participant did, or the page asked again) is released as soon
 * as it exists.
 */
import type { MediaPipeline, WebRtcEndpoint } from '@kurento-ts/client';
import { CandidateQueue, errorMessage, type FaultListener } from '@kurento-ts/tutorial-kit';
import type { Candidate, ServerMessage } from './messages.js';

/** An incoming endpoint, or the making of one. */
interface Incoming {
  endpoint: WebRtcEndpoint | undefined;
  cancelled: boolean;
}

/** A participant's endpoints in its room's pipeline (see the module comment). */
export class Member {
  #pipeline: MediaPipeline | undefined;
  #outgoing: WebRtcEndpoint | undefined;
  /** Sender name → its incoming endpoint here. */
  readonly #incoming = new Map<string, Incoming>();
  /** Whose video (this member's own, or a sender's) → the page's candidates for that endpoint. */
  readonly #candidates = new Map<string, CandidateQueue>();
  #joined = false;
  #left = false;

  constructor(
    readonly name: string,
    readonly send: (message: ServerMessage) => void,
    private readonly onFault: FaultListener,
  ) {}

  /** Whether the member has its outgoing endpoint and the room knows it. */
  get joined(): boolean {
    return this.#joined && !this.#left;
  }

  /** Makes the outgoing endpoint in the room's pipeline; false if the member left meanwhile. */
  async start(pipeline: MediaPipeline): Promise<boolean> {
    this.#pipeline = pipeline;
    const endpoint = await pipeline.create('WebRtcEndpoint');
    this.#outgoing = endpoint;
    if (this.#left) {
      await endpoint.release();
      return false;
    }
    await endpoint.on('IceCandidateFound', ({ candidate }) => this.send({ id: 'iceCandidate', name: this.name, candidate: { ...candidate } }));
    this.#queue(this.name).attach(endpoint);
    return true;
  }

  /** The room took the member in: the others now know it. */
  markJoined(): void {
    this.#joined = true;
  }

  /** A candidate from the page for the endpoint that carries `name`'s video (its own: the outgoing one). */
  addCandidate(name: string, candidate: Candidate): void {
    this.#queue(name).add(candidate);
  }

  /**
   * Answers the page's offer to receive `sender`'s video: its own (the outgoing endpoint takes the
   * page's send-only offer, as in Kurento's tutorial) or another participant's, through a new
   * incoming endpoint (replacing any earlier one for that sender). Failures are answered with `error`.
   */
  async receiveVideoFrom(sender: Member, sdpOffer: string): Promise<void> {
    if (sender === this) {
      const outgoing = this.#outgoing;
      if (outgoing) await this.#answer(this.name, sdpOffer, () => Promise.resolve(outgoing), () => this.#left, () => Promise.resolve());
      return;
    }
    await this.cancelVideoFrom(sender.name); // an earlier one, with its candidates
    const incoming: Incoming = { endpoint: undefined, cancelled: false };
    this.#incoming.set(sender.name, incoming);
    const stale = (): boolean => this.#left || incoming.cancelled;
    await this.#answer(sender.name, sdpOffer, () => this.#makeIncoming(sender, incoming), stale, () => this.cancelVideoFrom(sender.name));
  }

  /** `senderName` left, or its video is received anew: its incoming endpoint is released. */
  async cancelVideoFrom(senderName: string): Promise<void> {
    const incoming = this.#incoming.get(senderName);
    this.#incoming.delete(senderName);
    this.#candidates.get(senderName)?.clear();
    this.#candidates.delete(senderName);
    if (!incoming) return;
    incoming.cancelled = true;
    await incoming.endpoint?.release().catch(this.onFault);
  }

  /** The member left: every endpoint of its is released (those being made, as soon as they exist). Idempotent. */
  async release(): Promise<void> {
    this.#left = true;
    const senders = [...this.#incoming.keys()];
    for (const queue of this.#candidates.values()) queue.clear();
    this.#candidates.clear();
    await Promise.all([...senders.map((s) => this.cancelVideoFrom(s)), this.#outgoing?.release().catch(this.onFault)]);
  }

  /** Makes the endpoint, answers the offer, then gathers; gives up quietly once `stale()` (a leave overtook it). */
  async #answer(name: string, sdpOffer: string, endpointFor: () => Promise<WebRtcEndpoint>, stale: () => boolean, undo: () => Promise<void>): Promise<void> {
    try {
      const endpoint = await endpointFor();
      const sdpAnswer = await endpoint.processOffer(sdpOffer);
      if (stale()) return;
      this.send({ id: 'receiveVideoAnswer', name, sdpAnswer });
      await endpoint.gatherCandidates();
    } catch (e) {
      if (stale()) return; // the leave released what the remaining requests needed
      this.onFault(e);
      this.send({ id: 'error', message: `Could not receive ${name === this.name ? 'your own' : `${name}'s`} video: ${errorMessage(e)}` });
      await undo();
    }
  }

  async #makeIncoming(sender: Member, incoming: Incoming): Promise<WebRtcEndpoint> {
    const [pipeline, source] = [this.#pipeline, sender.#outgoing];
    if (!pipeline || !source) throw new Error(`${sender.name} is not in the room yet`);
    const endpoint = await pipeline.create('WebRtcEndpoint');
    incoming.endpoint = endpoint;
    if (incoming.cancelled) {
      await endpoint.release();
      throw new Error('cancelled while being made'); // stale: the caller gives up quietly
    }
    await endpoint.on('IceCandidateFound', ({ candidate }) => this.send({ id: 'iceCandidate', name: sender.name, candidate: { ...candidate } }));
    this.#queue(sender.name).attach(endpoint);
    await source.connect(endpoint);
    return endpoint;
  }

  #queue(name: string): CandidateQueue {
    let queue = this.#candidates.get(name);
    if (!queue) {
      queue = new CandidateQueue((e) => this.send({ id: 'error', message: `A candidate for ${name === this.name ? 'your own' : `${name}'s`} video was refused: ${errorMessage(e)}` }));
      this.#candidates.set(name, queue);
    }
    return queue;
  }
}
