/**
 * The listeners of one proxy, per event type, and the server subscriptions behind them: the
 * first listener of a type sends `subscribe`, removing the last one sends `unsubscribe`. Changes
 * per type run one after another, so quick on/off sequences never leave a subscription behind
 * or unsubscribe one that is still wanted.
 */
import { callSafely } from '../util/TypedEmitter.js';

/** How subscriptions reach the server. */
export interface SubscriptionRemote {
  subscribe(type: string): Promise<string>;
  unsubscribe(subscription: string): Promise<void>;
}

type AnyListener = (payload: never) => void;
interface Entry {
  readonly listener: AnyListener;
  readonly once: boolean;
  /** For `once(type)` promises: rejects the promise when the events can no longer come. */
  readonly abort: ((error: Error) => void) | undefined;
}
interface TypeState {
  entries: Entry[];
  /** The server's subscription id, while subscribed. */
  subscription: string | undefined;
  /** The tail of this type's queue of subscribe/unsubscribe steps. */
  queue: Promise<void>;
}

export class EventSubscriptions {
  private readonly types = new Map<string, TypeState>();

  constructor(private readonly remote: SubscriptionRemote) {}

  /** Adds a listener; resolves once the server subscription exists, rejects (removing it) if it cannot. */
  add(type: string, listener: AnyListener, once: boolean, abort?: (error: Error) => void): Promise<void> {
    const state = this.state(type);
    const entry: Entry = { listener, once, abort };
    state.entries.push(entry);
    return this.enqueue(state, type, () => {
      state.entries = state.entries.filter((e) => e !== entry);
    });
  }

  /** Removes a listener (the earliest registration of it); unsubscribes when it was the last. */
  remove(type: string, listener: AnyListener): Promise<void> {
    const state = this.types.get(type);
    const index = state?.entries.findIndex((e) => e.listener === listener) ?? -1;
    if (!state || index < 0) return Promise.resolve();
    state.entries.splice(index, 1);
    return this.enqueue(state, type);
  }

  /** Number of listeners of a type. */
  count(type: string): number {
    return this.types.get(type)?.entries.length ?? 0;
  }

  /** Calls the listeners of an event. */
  dispatch(type: string, payload: unknown): void {
    const state = this.types.get(type);
    if (!state) return;
    for (const entry of [...state.entries]) {
      if (entry.once) this.remove(type, entry.listener).catch(() => undefined);
      callSafely(entry.listener as (payload: unknown) => void, [payload]);
    }
  }

  /** Forgets every listener and subscription without telling the server (it already forgot them). */
  clear(reason: Error): void {
    const entries = [...this.types.values()].flatMap((state) => state.entries);
    this.types.clear();
    for (const entry of entries) entry.abort?.(reason);
  }

  private state(type: string): TypeState {
    let state = this.types.get(type);
    if (!state) this.types.set(type, (state = { entries: [], subscription: undefined, queue: Promise.resolve() }));
    return state;
  }

  /** Queues a step that makes the server match the listeners present when it runs. */
  private enqueue(state: TypeState, type: string, undo?: () => void): Promise<void> {
    const step = state.queue.then(() => this.sync(state, type)).catch((e: unknown) => {
      undo?.();
      throw e;
    });
    state.queue = step.catch(() => undefined);
    return step;
  }

  private async sync(state: TypeState, type: string): Promise<void> {
    if (this.types.get(type) !== state) return; // cleared meanwhile
    if (state.entries.length > 0 && state.subscription === undefined) {
      state.subscription = await this.remote.subscribe(type);
    } else if (state.entries.length === 0 && state.subscription !== undefined) {
      const subscription = state.subscription;
      state.subscription = undefined;
      await this.remote.unsubscribe(subscription);
    }
  }
}
