/**
 * A typed list of listeners of one value, cheap enough for the packet path: `emit` walks a plain
 * array (no iterator, no rest arguments, no allocation); `add` and removal copy it, which
 * happens rarely. A listener that throws is reported to `onListenerError`; the others still run.
 */
export class Signal<T = void> {
  private listeners: readonly ((value: T) => void)[] = [];

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Calls every listener with `value`. */
  emit(value: T): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]?.(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Listeners registered. */
  get size(): number {
    return this.listeners.length;
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners = [];
  }
}
