/**
 * The bridge between the two calling conventions: every operation is written once as a
 * promise, and a kurento-utils-style callback, when given, is fed from that promise.
 */

/** An error-first callback with its `this`; `result` is only there when `error` is null. */
export type ErrorFirst<This, Result extends unknown[]> = (this: This, error: Error | null, ...result: Result) => void;

/** Errors reach callbacks as Error objects (kurento-utils sometimes passed bare strings). */
export function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/**
 * Reports the outcome of `work` to `callback`. The callback runs in a microtask of its own,
 * outside the promise chain: an exception it throws surfaces as an ordinary uncaught error
 * instead of being taken for the operation's failure (and calling the callback twice).
 */
export function reportTo<This, Result extends unknown[]>(self: This, callback: ErrorFirst<This, Result>, work: Promise<Result>): void {
  work.then(
    (result) => queueMicrotask(() => callback.call(self, null, ...result)),
    // On failure the results are left out, as kurento-utils did (hence apply, untyped).
    (reason: unknown) => queueMicrotask(() => Reflect.apply(callback, self, [toError(reason)])),
  );
}

/** The default receiver of errors nobody asked for, as kurento-utils logged them. */
export function logError(error: Error): void {
  console.error('[kurento-utils]', error);
}
