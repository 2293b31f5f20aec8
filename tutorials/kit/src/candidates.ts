/**
 * A page's ICE candidates for one WebRtcEndpoint. They may arrive before the application has
 * created the endpoint (a caller's candidates while the callee still decides, say): they wait
 * here and go to the endpoint, in order, once it exists (the media server itself keeps those
 * that come before the offer). `clear()` forgets them when that negotiation ends.
 */
import type { WebRtcEndpoint } from '@kurento-ts/client';
import type { Candidate } from './messages.js';

/** The most candidates kept for an endpoint that does not exist yet (a page that never stops sending must not grow the app). */
const MAX_PENDING = 100;

/** A page's candidates for one endpoint (see the module comment). */
export class CandidateQueue {
  #endpoint: WebRtcEndpoint | undefined;
  #pending: Candidate[] = [];

  /** `onError` hears of candidates the media server refused (one bad candidate does not end a call). */
  constructor(private readonly onError: (error: unknown) => void) {}

  /** Adds `candidate` to the endpoint, or keeps it until there is one. */
  add(candidate: Candidate): void {
    if (this.#endpoint) this.#endpoint.addIceCandidate(candidate).catch(this.onError);
    else if (this.#pending.length < MAX_PENDING) this.#pending.push(candidate);
  }

  /** The endpoint exists: the candidates kept so far go to it, and later ones straight away. */
  attach(endpoint: WebRtcEndpoint): void {
    this.#endpoint = endpoint;
    for (const candidate of this.#pending.splice(0)) this.add(candidate);
  }

  /** The negotiation ended: forgets the endpoint and any candidates kept. */
  clear(): void {
    this.#endpoint = undefined;
    this.#pending = [];
  }
}
