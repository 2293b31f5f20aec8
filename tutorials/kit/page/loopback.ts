/**
 * The page of a loopback tutorial (Hello World, Magic Mirror, the data-channel tutorial): Start
 * asks for the camera, sends the offer as `start`, applies `startResponse` and trades ICE
 * candidates; Stop (or an error) ends it. The page's elements have the same ids in each:
 * #videoInput, #videoOutput, #start, #stop, #status, #error; `body[data-state]` tells the state.
 * What a tutorial adds (a log, stats, a data channel) hangs on the hooks.
 */
import { WebRtcPeer, type WebRtcPeerOptions } from '@kurento-ts/browser';
import type { LoopbackReply, LoopbackRequest } from '../src/messages.js';
import { LocalCandidates } from './candidates.js';
import { byId, describeError, hideError, showError } from './dom.js';
import { PageSocket } from './socket.js';

/** Where the page is. */
export type LoopbackState = 'idle' | 'connecting' | 'playing';

/** A loopback page's own parts; `In` is every message its server sends. */
export interface LoopbackPageOptions<In extends { id: string }> {
  /** The signalling WebSocket's path: "/helloworld". */
  path: string;
  /** The status line in each state. */
  status: Record<LoopbackState, string>;
  /** More options for the page's WebRtcPeer (`dataChannels`, say). */
  peer?: Omit<WebRtcPeerOptions, 'localVideo' | 'remoteVideo' | 'onicecandidate'>;
  /** A message of the tutorial's own (not startResponse, iceCandidate or error). */
  message?(message: Exclude<In, LoopbackReply>): void;
  /** A step worth telling the user: "Offer sent", "Stopped"... */
  note?(what: string, detail?: string): void;
  /** The offer is sent: the peer is this start's. */
  started?(peer: WebRtcPeer): void;
  /** The session ended here (Stop, an error, the socket lost). */
  stopped?(): void;
  /** Whether an `error` after the answer ends the session too (the server released it), not only one before. */
  errorsEnd?: boolean;
}

/** A loopback page (see the module comment). */
export class LoopbackPage<In extends { id: string }> {
  readonly videoInput = byId('videoInput', HTMLVideoElement);
  readonly videoOutput = byId('videoOutput', HTMLVideoElement);
  readonly #startButton = byId('start', HTMLButtonElement);
  readonly #stopButton = byId('stop', HTMLButtonElement);
  readonly #statusLine = byId('status', HTMLElement);
  readonly #errorBox = byId('error', HTMLElement);
  readonly #socket: PageSocket<In, LoopbackRequest>;
  #state: LoopbackState = 'idle';
  #peer: WebRtcPeer | undefined;
  /** Bumped by every Start and Stop: a start overtaken by them gives up. */
  #generation = 0;
  /** Whether the server answered this start: an error before that means the start failed. */
  #answered = false;

  constructor(private readonly options: LoopbackPageOptions<In>) {
    this.#socket = new PageSocket<In, LoopbackRequest>(options.path, {
      message: (m) => this.#onMessage(m),
      unreadable: () => this.showError('The application server sent something unreadable.'),
      closed: () => {
        if (this.#state !== 'idle') {
          this.showError('Lost the connection to the application server.');
          this.stop();
        }
      },
    });
    this.videoOutput.addEventListener('playing', () => {
      if (this.#state === 'connecting') this.#setState('playing');
    });
    this.#startButton.addEventListener('click', () => void this.start());
    this.#stopButton.addEventListener('click', () => this.stop());
    this.#setState('idle');
  }

  /** The peer of the current start, once made. */
  get peer(): WebRtcPeer | undefined {
    return this.#peer;
  }

  get state(): LoopbackState {
    return this.#state;
  }

  /** Sets the status line (until the next state change). */
  set status(text: string) {
    this.#statusLine.textContent = text;
  }

  showError(message: string): void {
    showError(this.#errorBox, message);
  }

  async start(): Promise<void> {
    const run = ++this.#generation;
    hideError(this.#errorBox);
    this.#setState('connecting');
    this.#answered = false;
    // Local candidates wait until the offer is sent: the server starts its session with it.
    const candidates = new LocalCandidates((candidate) => this.#socket.send({ id: 'onIceCandidate', candidate }));
    this.options.note?.('Start', 'asking for the camera');
    try {
      await this.#socket.open();
      const created = await WebRtcPeer.create('sendrecv', { ...this.options.peer, localVideo: this.videoInput, remoteVideo: this.videoOutput, onicecandidate: (c) => candidates.add(c) });
      if (run !== this.#generation) return created.dispose();
      this.#peer = created;
      const sdpOffer = await created.generateOffer();
      if (run !== this.#generation) return;
      this.#socket.send({ id: 'start', sdpOffer });
      this.options.note?.('Offer sent', `${sdpOffer.length} bytes of SDP`);
      candidates.flush();
      this.options.started?.(created);
    } catch (e) {
      if (run !== this.#generation) return;
      this.#fail(describeError(e));
    }
  }

  /** Ends the session here and on the server (a stop for a session it already ended is harmless). */
  stop(): void {
    this.#generation++;
    this.options.stopped?.();
    if (this.#peer) {
      this.#peer.dispose();
      this.#peer = undefined;
      this.options.note?.('Stopped');
    }
    this.#socket.send({ id: 'stop' });
    this.#setState('idle');
  }

  #onMessage(message: In): void {
    const reply = message as unknown as LoopbackReply;
    switch (reply.id) {
      case 'startResponse':
        this.#answered = true;
        this.options.note?.('Answer received', 'applying the media server\'s SDP answer');
        this.#peer?.processAnswer(reply.sdpAnswer).catch((e: unknown) => this.#fail(`Could not apply the answer: ${String(e)}`));
        return;
      case 'iceCandidate':
        // May come before the answer: the peer queues it until then.
        this.#peer?.addIceCandidate(reply.candidate).catch(() => undefined);
        return;
      case 'error':
        if (this.#state !== 'idle' && (!this.#answered || this.options.errorsEnd === true)) this.#fail(reply.message);
        else this.showError(reply.message);
        return;
      default:
        this.options.message?.(message as Exclude<In, LoopbackReply>);
    }
  }

  #fail(message: string): void {
    this.showError(message);
    this.stop();
  }

  #setState(next: LoopbackState): void {
    this.#state = next;
    document.body.dataset['state'] = next;
    this.#startButton.disabled = next !== 'idle';
    this.#stopButton.disabled = next === 'idle';
    this.#statusLine.textContent = this.options.status[next];
  }
}
