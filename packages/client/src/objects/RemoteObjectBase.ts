/**
 * What every proxy has, whatever its class: its id and class, `release()`, and typed events.
 * The remote operations themselves are put on each class's prototype from the schema (see
 * proxyClasses.ts); they all go through the host, so a proxy holds no protocol logic.
 */
import type { ClassName, Descendants, EventListener, EventName, EventNameOf, EventPayload } from '../types.js';
import { EventSubscriptions } from './EventSubscriptions.js';

/** What a proxy asks of the client that made it. */
export interface ObjectHost {
  /** Runs a remote operation (method or property accessor) with positional arguments. */
  invoke(target: RemoteObjectBase, operation: string, args: readonly unknown[]): Promise<unknown>;
  /** Releases the object on the server. */
  release(target: RemoteObjectBase): Promise<void>;
  subscribe(target: RemoteObjectBase, type: string): Promise<string>;
  unsubscribe(target: RemoteObjectBase, subscription: string): Promise<void>;
  /** Creates an object; `params` are constructor params by name, unencoded. */
  create(type: ClassName, params: Readonly<Record<string, unknown>>, properties: Readonly<Record<string, unknown>> | undefined): Promise<RemoteObjectBase>;
}

/** Package-internal members, kept off the public surface by symbol keys. */
export const HOST = Symbol('kurento-ts.host');
export const DISPATCH = Symbol('kurento-ts.dispatch');
export const INVALIDATE = Symbol('kurento-ts.invalidate');

const ignore = (): undefined => undefined;

export abstract class RemoteObjectBase<C extends ClassName = ClassName> {
  /** The server's id of the object. */
  readonly id: string;
  /** The object's actual class (the most derived one the server reported). */
  readonly className: Descendants<C>;
  readonly #host: ObjectHost;
  readonly #events: EventSubscriptions;
  #releasing: Promise<void> | undefined;
  #released = false;

  constructor(host: ObjectHost, id: string, className: ClassName) {
    this.id = id;
    this.className = className as Descendants<C>;
    this.#host = host;
    this.#events = new EventSubscriptions({
      subscribe: (type) => this.#host.subscribe(this, type),
      unsubscribe: (subscription) => this.#host.unsubscribe(this, subscription),
    });
  }

  /** Whether the object is known to be gone (released, or its session lost). */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Releases the object (and, for a pipeline, its elements). Idempotent: later calls share the
   * first one's outcome, and an object the server no longer has counts as released.
   */
  release(): Promise<void> {
    if (this.#released) return Promise.resolve();
    this.#releasing ??= this.#host.release(this).catch((e: unknown) => {
      this.#releasing = undefined; // e.g. the connection dropped: let a later call try again
      throw e;
    });
    return this.#releasing;
  }

  /**
   * Listens to an event; the first listener of a type subscribes on the server. Resolves once
   * the subscription is in place (await it before causing the event); on failure the listener
   * is removed and the promise rejects.
   */
  on<E extends EventNameOf<C>>(type: E, listener: EventListener<E>): Promise<void> {
    return this.#listen(type, listener, false);
  }

  /** Listens to one occurrence of an event. */
  once<E extends EventNameOf<C>>(type: E, listener: EventListener<E>): Promise<void>;
  /** Resolves with the next occurrence of an event. */
  once<E extends EventNameOf<C>>(type: E): Promise<EventPayload<E>>;
  once<E extends EventNameOf<C>>(type: E, listener?: EventListener<E>): Promise<void> | Promise<EventPayload<E>> {
    if (listener) return this.#listen(type, listener, true);
    return new Promise<EventPayload<E>>((resolve, reject) => {
      this.#events.add(type, resolve, true, reject).catch(reject);
    });
  }

  /** Removes a listener; removing the last one of a type unsubscribes on the server. */
  off<E extends EventNameOf<C>>(type: E, listener: EventListener<E>): Promise<void> {
    const done = this.#events.remove(type, listener);
    done.catch(ignore);
    return done;
  }

  /** Number of listeners of an event. */
  listenerCount(type: EventNameOf<C>): number {
    return this.#events.count(type);
  }

  /** `ClassName(id)`. */
  toString(): string {
    return `${this.className}(${this.id})`;
  }

  /** A proxy serializes as its id, as Kurento passes objects. */
  toJSON(): string {
    return this.id;
  }

  /** @internal The host that runs this proxy's operations. */
  get [HOST](): ObjectHost {
    return this.#host;
  }

  /** @internal Delivers a decoded event to its listeners. */
  [DISPATCH](type: EventName, payload: unknown): void {
    this.#events.dispatch(type, payload);
  }

  /**
   * @internal Marks the proxy dead: the object is gone on the server, and so are its
   * subscriptions; pending `once(type)` promises reject with `reason`.
   */
  [INVALIDATE](reason: Error): void {
    this.#released = true;
    this.#events.clear(reason);
  }

  #listen(type: string, listener: (payload: never) => void, once: boolean): Promise<void> {
    const done = this.#events.add(type, listener, once);
    // Not awaiting is common with event listeners: a failure must not become an unhandled rejection.
    done.catch(ignore);
    return done;
  }
}
