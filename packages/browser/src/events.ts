/**
 * The few EventEmitter methods kurento-utils pages use on a peer (`on`, `off`), without
 * Node's `events` module in the bundle. Listeners are called with the emitter as `this`.
 */
type AnyListener = (...args: any[]) => void;

export class Emitter<Events extends { [E in keyof Events]: AnyListener }> {
  readonly #listeners = new Map<keyof Events, AnyListener[]>();

  /** Adds a listener. */
  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener);
    this.#listeners.set(event, list);
    return this;
  }

  /** Removes a listener added with `on`. */
  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners.get(event);
    const at = list?.indexOf(listener) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
    return this;
  }

  /** Node's name for `off`. */
  removeListener<E extends keyof Events>(event: E, listener: Events[E]): this {
    return this.off(event, listener);
  }

  /** Removes every listener of `event`, or of all events. */
  removeAllListeners(event?: keyof Events): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    // A copy: a listener may remove itself while we iterate.
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener.apply(this, args);
  }
}
