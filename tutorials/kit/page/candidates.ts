/**
 * The page's own ICE candidates for one peer: held until its offer is sent (the server makes the
 * endpoint from the offer's message, so candidates sent before it could only wait there), then
 * sent as they come.
 */
import type { Candidate } from '../src/messages.js';

export class LocalCandidates {
  #held: Candidate[] | undefined = [];

  /** `send` sends one candidate to the server. */
  constructor(private readonly send: (candidate: Candidate) => void) {}

  /** A candidate from the peer (its `icecandidate` event). */
  add(candidate: RTCIceCandidate): void {
    const init: Candidate = { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? '0', sdpMLineIndex: candidate.sdpMLineIndex ?? 0 };
    if (this.#held) this.#held.push(init);
    else this.send(init);
  }

  /** The offer is out: sends the candidates held, and later ones at once. */
  flush(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const candidate of held) this.send(candidate);
  }
}
