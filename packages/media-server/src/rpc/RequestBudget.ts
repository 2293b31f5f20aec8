/**
 * A token bucket per socket: `ratePerSecond` requests a second on average, bursts up to twice
 * that. A flooding client gets NOT_ENOUGH_RESOURCES answers instead of the server's time.
 */
export class RequestBudget {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  /** @param ratePerSecond sustained rate; 0 means unlimited */
  constructor(private readonly ratePerSecond: number, now = performance.now()) {
    this.burst = ratePerSecond * 2;
    this.tokens = this.burst;
    this.last = now;
  }

  /** Spends one request; false when the budget is exhausted. */
  take(now = performance.now()): boolean {
    if (this.ratePerSecond === 0) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
