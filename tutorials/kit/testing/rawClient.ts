/**
 * A raw client of a tutorial's signalling WebSocket, as the signalling tests use it: sends what
 * a page (or a broken page) would, keeps every message it receives, and waits for them, bounded.
 */
import { waitFor } from '@kurento-ts/test-utils';
import WebSocket from 'ws';

/** A raw signalling client; `In` types what it receives. */
export class RawClient<In extends { id: string } = { id: string; [field: string]: unknown }> {
  /** Every message received so far, in order. */
  readonly received: In[] = [];
  readonly #waiters = new Set<() => void>();
  /** Messages take() has handed out. */
  readonly #taken = new Set<In>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as In);
      for (const wake of this.#waiters) wake();
    });
  }

  /** Opens `url` (self-signed certificates accepted) with extra request headers. */
  static async open<In extends { id: string }>(url: string, headers: Record<string, string> = {}): Promise<RawClient<In>> {
    const ws = new WebSocket(url, { rejectUnauthorized: false, headers });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new RawClient<In>(ws);
  }

  /** Sends an object as JSON, or a string as it is. */
  send(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (received so far or later) that `match` accepts. */
  next<T extends In>(what: string, match: (m: In) => m is T, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const look = (): boolean => {
        const found = this.received.find(match);
        if (!found) return false;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const check = (): void => void look();
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms; received ${JSON.stringify(this.received.map((m) => m.id))}`));
      }, timeoutMs);
      if (!look()) this.#waiters.add(check);
    });
  }

  /**
   * The next message with this id (and, if given, that `where` accepts) not taken yet, received
   * so far or later, which it takes: calling it again waits for the one after.
   */
  async take<I extends In['id']>(id: I, where: (m: Extract<In, { id: I }>) => boolean = () => true, timeoutMs = 10_000): Promise<Extract<In, { id: I }>> {
    const found = await this.next(`a new ${id}`, (m): m is Extract<In, { id: I }> => m.id === id && !this.#taken.has(m) && where(m as Extract<In, { id: I }>), timeoutMs);
    this.#taken.add(found);
    return found;
  }

  /** Messages received so far with this id. */
  all<I extends In['id']>(id: I): Extract<In, { id: I }>[] {
    return this.received.filter((m): m is Extract<In, { id: I }> => m.id === id);
  }

  /** Sends each of `messages` (objects as JSON, strings as they are), then waits for as many `error` answers: their messages, in order. */
  async refusals(messages: readonly (object | string)[], timeoutMs = 10_000): Promise<string[]> {
    const errors = (): In[] => this.received.filter((m) => m.id === 'error');
    const before = errors().length;
    for (const message of messages) this.send(message);
    await waitFor(`${messages.length} error answers`, () => errors().length >= before + messages.length, timeoutMs);
    return errors().slice(before).map((m) => String((m as { message?: unknown }).message));
  }

  /** Closes the socket and waits until it is closed. */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
