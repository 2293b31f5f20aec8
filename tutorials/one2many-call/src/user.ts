/**
 * One page of the one-to-many call on the `/one2many` WebSocket: it presents, views, or neither.
 * There is one presenter at a time (the Broadcast's); a second is refused, as a viewer is while
 * nobody presents. Stop, or the socket closing, ends what the page was doing: a presenter's end
 * stops every viewer.
 */
import type { KurentoClient } from '@kurento-ts/client';
import { answerError, CandidateQueue, type FaultListener, type PageSession } from '@kurento-ts/tutorial-kit';
import { NO_PRESENTER, parseBrowserMessage, PRESENTER_TAKEN, type BrowserMessage, type ServerMessage } from './messages.js';
import { Presentation, type Member } from './presentation.js';
import { Viewing } from './viewing.js';

/** What every page shares: the media server and the presentation of the moment. */
export interface Broadcast {
  readonly kurento: KurentoClient;
  readonly onFault: FaultListener;
  presentation: Presentation | undefined;
}

type Role = { kind: 'presenter'; presentation: Presentation } | { kind: 'viewer'; viewing: Viewing };

/** One page's session on /one2many. */
export class User implements PageSession, Member {
  #role: Role | undefined;
  #closed: Promise<void> | undefined;
  /** The page's candidates for its endpoint of the moment. */
  readonly candidates = new CandidateQueue((e) => this.#report(e));

  constructor(private readonly broadcast: Broadcast, readonly send: (message: ServerMessage) => void) {}

  /** Handles one text frame from the page; failures are answered, never thrown. */
  async receive(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#handle(parseBrowserMessage(text));
    } catch (e) {
      this.#report(e);
    }
  }

  /** The socket closed: ends the presentation (viewers are told) or the viewing. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#stop('The presenter left');
    return this.#closed;
  }

  presentationEnded(presentation: Presentation): void {
    const role = this.#role;
    if (role?.kind === 'presenter' ? role.presentation !== presentation : role?.viewing.presentation !== presentation) return;
    this.#role = undefined;
    this.candidates.clear();
  }

  #handle(message: BrowserMessage): Promise<void> | void {
    switch (message.id) {
      case 'presenter':
        return this.#present(message.sdpOffer);
      case 'viewer':
        return this.#view(message.sdpOffer);
      case 'stop':
        return this.#stop('The presenter stopped');
      case 'onIceCandidate':
        return this.candidates.add(message.candidate);
    }
  }

  #present(sdpOffer: string): Promise<void> | void {
    const rejected = (message: string): void => this.send({ id: 'presenterResponse', response: 'rejected', message });
    const current = this.broadcast.presentation;
    // A viewer is refused too: while it views, someone else presents.
    if (current) return rejected(current.presenter === this ? 'You are already presenting: stop first' : PRESENTER_TAKEN);
    const { kurento, onFault } = this.broadcast;
    const presentation: Presentation = new Presentation(this, kurento, onFault, () => {
      if (this.broadcast.presentation === presentation) this.broadcast.presentation = undefined;
    });
    this.broadcast.presentation = presentation;
    this.#role = { kind: 'presenter', presentation };
    return presentation.start(sdpOffer);
  }

  async #view(sdpOffer: string): Promise<void> {
    const rejected = (message: string): void => this.send({ id: 'viewerResponse', response: 'rejected', message });
    if (this.#role?.kind === 'presenter') return rejected('You are the presenter: stop presenting first');
    const presentation = this.broadcast.presentation;
    if (!presentation) return rejected(NO_PRESENTER);
    if (this.#role) await this.#stop(''); // a new viewer offer replaces the last one
    const viewing = new Viewing(this, presentation, this.broadcast.onFault);
    this.#role = { kind: 'viewer', viewing };
    await viewing.start(sdpOffer);
  }

  /** Ends the page's role: a presentation ends with `message` to its viewers; a viewing just ends. */
  async #stop(message: string): Promise<void> {
    const role = this.#role;
    this.#role = undefined;
    this.candidates.clear();
    if (role?.kind === 'presenter') await role.presentation.end(message);
    else if (role?.kind === 'viewer') await role.viewing.stop();
  }

  #report(e: unknown): void {
    answerError(e, this.send, this.broadcast.onFault);
  }
}
