/**
 * Keep-alive pings, as the official client sends them: `ping` with `{interval}` every interval.
 * The interval tells the server how soon to expect the next one. A ping left unanswered for two
 * intervals (one would punish a merely busy server) means the connection is dead even if TCP has
 * not noticed, so `dead` is called and the socket is dropped to start a reconnection.
 */
import type { JsonRpcClient } from './JsonRpcClient.js';

export class KeepAlive {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  /** Bumped by stop(), so answers to pings of an earlier run are ignored. */
  private generation = 0;

  constructor(
    private readonly rpc: JsonRpcClient,
    private readonly intervalMs: number,
    private readonly dead: () => void,
  ) {}

  /** Starts pinging (no-op when the interval is 0). */
  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.ping(), this.intervalMs);
  }

  /** Stops pinging. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.inFlight = false;
    this.generation++;
  }

  private ping(): void {
    if (this.inFlight) return;
    this.inFlight = true;
    const generation = this.generation;
    this.rpc.request('ping', { interval: this.intervalMs }, { urgent: true, timeoutMs: 2 * this.intervalMs }).then(
      () => {
        if (generation === this.generation) this.inFlight = false;
      },
      () => {
        if (generation !== this.generation) return; // stopped meanwhile: not the server's fault
        this.inFlight = false;
        this.dead();
      },
    );
  }
}
