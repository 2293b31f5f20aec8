/**
 * Remote ICE candidates that arrive before the remote description wait here. Kurento
 * applications forward the server's IceCandidateFound events as soon as they come, and they
 * often overtake the SDP answer (setRemoteDescription is asynchronous), while
 * RTCPeerConnection.addIceCandidate rejects candidates until a remote description is set.
 * Generic over the candidate type so the ordering logic can be tested without a browser.
 */
interface Waiting<C> {
  candidate: C;
  resolve(): void;
  reject(error: Error): void;
}

export class CandidateQueue<C> {
  readonly #waiting: Waiting<C>[] = [];
  #closed: Error | undefined;

  /**
   * @param apply hands one candidate to the peer connection
   * @param canApply whether the peer connection can take candidates now
   */
  constructor(
    private readonly apply: (candidate: C) => Promise<void>,
    private readonly canApply: () => boolean,
  ) {}

  /** Applies the candidate now or when `flush` finds it possible; settles when applied. */
  add(candidate: C): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    // Behind others, a candidate waits its turn: arrival order is kept.
    if (this.#waiting.length === 0 && this.canApply()) return this.apply(candidate);
    return new Promise((resolve, reject) => this.#waiting.push({ candidate, resolve, reject }));
  }

  /** Applies the waiting candidates, in arrival order, if the peer connection can take them. */
  flush(): void {
    while (this.#waiting.length > 0 && !this.#closed && this.canApply()) {
      const next = this.#waiting.shift() as Waiting<C>;
      this.apply(next.candidate).then(next.resolve, next.reject);
    }
  }

  /** Rejects the waiting candidates and every later one with `reason`. */
  close(reason: Error): void {
    this.#closed ??= reason;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(reason);
  }

  /** How many candidates are waiting. */
  get size(): number {
    return this.#waiting.length;
  }
}
