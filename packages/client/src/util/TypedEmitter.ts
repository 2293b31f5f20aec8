/**
 * A minimal typed event emitter. Unlike Node's EventEmitter it never throws on an unheard
 * 'error', and a throwing listener does not stop the others: its exception is re-thrown on a
 * later tick, where it surfaces like any uncaught exception instead of breaking the emitter.
 */
export type EventMap = { [event: string]: unknown[] };
type Listener<A extends unknown[]> = (...args: A) => void;
interface Entry {
  /** Stored untyped: the map holds listeners of every event; `emit` restores the type. */
  readonly listener: unknown;
  readonly once: boolean;
}

export class TypedEmitter<E extends EventMap> {
  private readonly entries = new Map<keyof E, Entry[]>();

  /** Adds a listener. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.add(event, listener, false);
  }

  /** Adds a listener that runs at most once. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.add(event, listener, true);
  }

  /** Removes a listener (added with `on` or `once`). */
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = (this.entries.get(event) ?? []).filter((e) => e.listener !== listener);
    if (list.length > 0) this.entries.set(event, list);
    else this.entries.delete(event);
    return this;
  }

  /** Number of listeners of an event. */
  listenerCount(event: keyof E): number {
    return this.entries.get(event)?.length ?? 0;
  }

  /** Removes every listener. */
  removeAllListeners(): this {
    this.entries.clear();
    return this;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const entry of [...(this.entries.get(event) ?? [])]) {
      const listener = entry.listener as Listener<E[K]>;
      if (entry.once) this.off(event, listener);
      callSafely(listener, args);
    }
  }

  private add<K extends keyof E>(event: K, listener: Listener<E[K]>, once: boolean): this {
    this.entries.set(event, [...(this.entries.get(event) ?? []), { listener, once }]);
    return this;
  }
}

/** Calls a listener; its exception is re-thrown asynchronously so the emitter carries on. */
export function callSafely<A extends unknown[]>(listener: (...args: A) => void, args: A): void {
  try {
    listener(...args);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}
