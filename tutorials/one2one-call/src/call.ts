/**
 * One call between two registered users, from `call` to its end: ringing (the callee was sent
 * `incomingCall`), connecting (the callee accepted; the media is being set up), active (both
 * have their answers), ended. Whatever ends it (a reject, a stop from either side, a socket that
 * closes, a failed set-up) tells the other party in the message Kurento's page expects at that
 * moment, and releases the media.
 */
import type { KurentoClient } from '@kurento-ts/client';
import { errorMessage, type CandidateQueue, type FaultListener } from '@kurento-ts/tutorial-kit';
import { CallMedia, type Leg } from './callMedia.js';
import type { ServerMessage } from './messages.js';

/** A user as a call sees it. */
export interface Party {
  readonly name: string;
  readonly candidates: CandidateQueue;
  send(message: ServerMessage): void;
  /** The call is over (whoever ended it): the party forgets it. */
  callEnded(call: Call): void;
}

type CallState = 'ringing' | 'connecting' | 'active' | 'ended';

/** One call between two users (see the module comment). */
export class Call {
  #state: CallState = 'ringing';
  #media: CallMedia | undefined;

  constructor(
    readonly caller: Party,
    readonly callee: Party,
    private readonly callerOffer: string,
    private readonly kurento: KurentoClient,
    private readonly onFault: FaultListener,
  ) {
    callee.send({ id: 'incomingCall', from: caller.name });
  }

  /** Whether the callee has not answered yet. */
  get ringing(): boolean {
    return this.#state === 'ringing';
  }

  /** The callee accepted with its offer: sets up the media, then sends both answers. */
  async accept(calleeOffer: string): Promise<void> {
    if (this.#state !== 'ringing') return;
    this.#state = 'connecting';
    const media = (this.#media = new CallMedia(this.kurento));
    const leg = (party: Party, sdpOffer: string): Leg => ({ sdpOffer, candidates: party.candidates, onCandidate: (candidate) => party.send({ id: 'iceCandidate', candidate }) });
    try {
      const [callerAnswer, calleeAnswer] = await media.start(leg(this.caller, this.callerOffer), leg(this.callee, calleeOffer));
      if (!this.#is('connecting')) return; // ended meanwhile (its end released the media)
      this.#state = 'active';
      this.callee.send({ id: 'startCommunication', sdpAnswer: calleeAnswer });
      this.caller.send({ id: 'callResponse', response: 'accepted', sdpAnswer: callerAnswer });
      await media.gatherCandidates();
    } catch (e) {
      if (this.#is('ended')) return; // the end of the call made the remaining requests fail
      this.onFault(e);
      const message = `The call could not be set up: ${errorMessage(e)}`;
      this.#tell(this.caller, message);
      this.#tell(this.callee, message);
      await this.#end();
    }
  }

  /** The callee declined (or its page answered busy). */
  async reject(message: string | undefined): Promise<void> {
    if (this.#state !== 'ringing') return;
    this.caller.send({ id: 'callResponse', response: 'rejected', message: message ?? 'user declined' });
    await this.#end();
  }

  /** `party` hung up (stop) or left (its socket closed): the other is told, the media released. */
  async hangUp(party: Party, message = `${party.name} hung up`): Promise<void> {
    if (this.#state === 'ended') return;
    this.#tell(party === this.caller ? this.callee : this.caller, message);
    await this.#end();
  }

  /** The state now (a method, so that TypeScript does not narrow it across awaits). */
  #is(state: CallState): boolean {
    return this.#state === state;
  }

  /** Tells a party the call is over: the caller waiting for its answer gets it as a rejection. */
  #tell(party: Party, message: string): void {
    if (party === this.caller && this.#state !== 'active') party.send({ id: 'callResponse', response: 'rejected', message });
    else party.send({ id: 'stopCommunication', message });
  }

  async #end(): Promise<void> {
    this.#state = 'ended';
    this.caller.callEnded(this);
    this.callee.callEnded(this);
    await this.#media?.release().catch(this.onFault);
  }
}
