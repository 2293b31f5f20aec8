/**
 * Keyframe requests coalesced per source, as mediasoup's keyFrameRequestDelay does: however many
 * sinks ask, the sender gets at most one request (PLI) per interval. A request inside the
 * interval is not lost: one request goes out when the interval ends, so a viewer that joins
 * just after another still gets its picture within the interval.
 */
import { performance } from 'node:perf_hooks';

/** Interval between two requests to one source. */
export const KEYFRAME_REQUEST_INTERVAL_MS = 300;

export class KeyframeRequests {
  /** Requests asked for, and requests sent to the source. */
  asked = 0;
  sent = 0;
  private lastSentMs = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: () => void,
    private readonly intervalMs = KEYFRAME_REQUEST_INTERVAL_MS,
  ) {}

  /** A sink wants a keyframe. */
  request(): void {
    this.asked++;
    const now = performance.now();
    const wait = this.lastSentMs + this.intervalMs - now;
    if (wait <= 0) return this.fire(now);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire(performance.now());
    }, wait);
    this.timer.unref();
  }

  /** Stops a pending request (the source is going away). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(now: number): void {
    this.lastSentMs = now;
    this.sent++;
    this.send();
  }
}
