/**
 * The media UDP sockets of the whole server, counted in shared memory: the endpoints of every
 * thread (the main thread's and each media worker's) draw on one budget, atomically, without a
 * round trip to the main thread. Each host also has its own count, so that the sockets of a
 * worker that died (its thread closed them) can be given back to the budget.
 */
import { REARM_SHARE, fits, serverBudgetReached, underPressure, warnPressure } from './budgets.js';

/** The shared counts and the budget: what a media worker is given. */
export interface SharedSocketCounts {
  buffer: SharedArrayBuffer;
  /** maxUdpSockets; 0: no limit. */
  limit: number;
}

/** Slots of the shared Int32Array. */
const TOTAL = 0;
/** 1 while the 80 % warning has been logged and not re-armed. */
const WARNED = 1;
const FIRST_HOST = 2;

export class SocketBudget {
  private readonly counts: Int32Array;
  readonly limit: number;

  /** Shared counts for `hosts` hosts (the main thread is host 0). */
  static shared(limit: number, hosts: number): SharedSocketCounts {
    return { buffer: new SharedArrayBuffer((FIRST_HOST + hosts) * Int32Array.BYTES_PER_ELEMENT), limit };
  }

  /** The budget as seen by host `host` (its sockets are counted in its slot). */
  constructor(shared: SharedSocketCounts, private readonly host: number) {
    this.counts = new Int32Array(shared.buffer);
    this.limit = shared.limit;
    if (FIRST_HOST + host >= this.counts.length) throw new RangeError(`no socket count slot for host ${host}`);
  }

  /** Sockets open in the whole server. */
  get used(): number {
    return Atomics.load(this.counts, TOTAL);
  }

  /** Sockets open on one host. */
  usedBy(host: number): number {
    return Atomics.load(this.counts, FIRST_HOST + host);
  }

  /**
   * Takes `n` sockets for a transport about to open them; throws NOT_ENOUGH_RESOURCES (naming
   * --max-udp-sockets) when they do not fit, having taken nothing.
   */
  lease(n: number): SocketLease {
    const before = Atomics.add(this.counts, TOTAL, n);
    if (!fits(before, n, this.limit)) {
      Atomics.sub(this.counts, TOTAL, n);
      throw serverBudgetReached('maxUdpSockets', before, this.limit);
    }
    Atomics.add(this.counts, FIRST_HOST + this.host, n);
    this.warnIfPressed(before + n);
    return new SocketLease(this, n);
  }

  /** Gives back the sockets a dead host held: its thread ended, and they closed with it. */
  forfeit(host: number): void {
    const held = Atomics.exchange(this.counts, FIRST_HOST + host, 0);
    Atomics.sub(this.counts, TOTAL, held);
  }

  /** Adds `delta` (possibly negative) to this host's count and the total, without a check. */
  adjust(delta: number): void {
    if (delta === 0) return;
    Atomics.add(this.counts, FIRST_HOST + this.host, delta);
    const after = Atomics.add(this.counts, TOTAL, delta) + delta;
    if (delta > 0) this.warnIfPressed(after);
    else if (after < this.limit * REARM_SHARE) Atomics.store(this.counts, WARNED, 0);
  }

  /** Whichever thread crosses 80 % first logs it, once until use falls below 70 %. */
  private warnIfPressed(used: number): void {
    if (underPressure(used, this.limit) && Atomics.compareExchange(this.counts, WARNED, 0, 1) === 0) warnPressure('maxUdpSockets', used, this.limit);
  }
}

/** The sockets one transport holds against the budget. */
export class SocketLease {
  private released = false;

  constructor(
    private readonly budget: SocketBudget,
    private held: number,
  ) {}

  /** The sockets counted now. */
  get count(): number {
    return this.held;
  }

  /** The transport has opened its sockets: counts what it actually holds (they exist, so no check). */
  resize(actual: number): void {
    if (this.released) return;
    this.budget.adjust(actual - this.held);
    this.held = actual;
  }

  /** The transport closed its sockets: they go back to the budget, once, and later resizes count nothing. */
  release(): void {
    this.resize(0);
    this.released = true;
  }
}
