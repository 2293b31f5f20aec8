/**
 * One page of the one-to-one call on the `/one2one` WebSocket: a user once registered, at most
 * one call at a time (as caller or callee), and the ICE candidates of its page. Registration
 * lasts as long as the socket: when it closes, the user's call ends (the other party is told)
 * and the name is free again.
 */
import type { KurentoClient } from '@kurento-ts/client';
import { answerError, CandidateQueue, type FaultListener, type PageSession } from '@kurento-ts/tutorial-kit';
import { Call, type Party } from './call.js';
import { BadMessage, parseBrowserMessage, type BrowserMessage, type ServerMessage } from './messages.js';

/** What every user shares: the media server and the registered names. */
export interface Directory {
  readonly kurento: KurentoClient;
  readonly onFault: FaultListener;
  /** Registered users by name. */
  readonly users: Map<string, User>;
}

/** One page's session on /one2one. */
export class User implements PageSession, Party {
  #name: string | undefined;
  #call: Call | undefined;
  #closed: Promise<void> | undefined;
  /** The page's candidates for its endpoint in the current call. */
  readonly candidates = new CandidateQueue((e) => this.#report(e));

  constructor(private readonly directory: Directory, readonly send: (message: ServerMessage) => void) {}

  /** The registered name ('' before registering). */
  get name(): string {
    return this.#name ?? '';
  }

  /** Handles one text frame from the page; failures are answered, never thrown. */
  async receive(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#handle(parseBrowserMessage(text));
    } catch (e) {
      this.#report(e);
    }
  }

  /** The socket closed: ends the call (the other party is told) and frees the name. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#name !== undefined && this.directory.users.get(this.#name) === this) this.directory.users.delete(this.#name);
      await this.#call?.hangUp(this, `${this.name} left`);
    })();
    return this.#closed;
  }

  callEnded(call: Call): void {
    if (this.#call !== call) return;
    this.#call = undefined;
    this.candidates.clear();
  }

  #handle(message: BrowserMessage): Promise<void> | void {
    switch (message.id) {
      case 'register':
        return this.#register(message.name);
      case 'call':
        return this.#callUser(message.to, message.sdpOffer);
      case 'incomingCallResponse':
        return this.#answer(message);
      case 'stop':
        return this.#call?.hangUp(this);
      case 'onIceCandidate':
        return this.candidates.add(message.candidate);
    }
  }

  #register(name: string): void {
    const rejected = (message: string): void => this.send({ id: 'registerResponse', response: 'rejected', message });
    if (this.#name !== undefined) return rejected(`You are already registered as ${this.#name}`);
    if (this.directory.users.has(name)) return rejected(`User ${name} is already registered`);
    this.#name = name;
    this.directory.users.set(name, this);
    this.send({ id: 'registerResponse', response: 'accepted' });
  }

  #callUser(to: string, sdpOffer: string): void {
    const rejected = (message: string): void => this.send({ id: 'callResponse', response: 'rejected', message });
    if (this.#name === undefined) return rejected('Register a name before calling');
    if (this.#call) return rejected('You are already in a call: stop it first');
    if (to === this.#name) return rejected('You cannot call yourself');
    const callee = this.directory.users.get(to);
    if (!callee) return rejected(`User ${to} is not registered`);
    if (callee.#call) return rejected(`User ${to} is busy`);
    const call = new Call(this, callee, sdpOffer, this.directory.kurento, this.directory.onFault);
    this.#call = callee.#call = call;
  }

  #answer(message: BrowserMessage & { id: 'incomingCallResponse' }): Promise<void> {
    const call = this.#call;
    if (!call || call.callee !== this || call.caller.name !== message.from || !call.ringing) {
      throw new BadMessage(`There is no call from ${message.from} waiting for your answer`);
    }
    return message.callResponse === 'accept' ? call.accept(message.sdpOffer) : call.reject(message.message);
  }

  #report(e: unknown): void {
    answerError(e, this.send, this.directory.onFault);
  }
}
