/** A bare JSON-RPC client over a real WebSocket, for asserting the exact bytes of the protocol. */
import WebSocket from 'ws';

/** A parsed message from the server. */
export type Message = { jsonrpc: string; id?: number | string | null; result?: Record<string, unknown>; error?: { code: number; message: string; data?: { type: string } }; method?: string; params?: { value: { data: Record<string, unknown>; object: string; type: string } } };

export class RawRpc {
  readonly notifications: Message[] = [];
  /** When set, notifications go here instead of into `notifications`. */
  onNotification: ((m: Message) => void) | undefined;
  private readonly waiting = new Map<number | string, (m: Message) => void>();
  private nextId = 1;
  sessionId: string | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      if (message.id !== undefined && message.id !== null && this.waiting.has(message.id)) {
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      } else if (this.onNotification) this.onNotification(message);
      else this.notifications.push(message);
    });
  }

  /** Opens a connection to `url`; `options.localAddress` (e.g. 127.0.0.2) makes it another client of the per-client budgets. */
  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawRpc> {
    const socket = new WebSocket(url, options);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new RawRpc(socket);
  }

  /** Sends a request (adding the session id once known) and returns the whole response. */
  async call(method: string, params: Record<string, unknown> = {}): Promise<Message> {
    const id = this.nextId++;
    const withSession = this.sessionId && !('sessionId' in params) ? { ...params, sessionId: this.sessionId } : params;
    const response = await this.send({ jsonrpc: '2.0', id, method, params: withSession }, id);
    const sessionId = response.result?.['sessionId'];
    if (typeof sessionId === 'string') this.sessionId = sessionId;
    return response;
  }

  /** Calls and returns `result.value`, failing on an error response. */
  async value<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const response = await this.call(method, params);
    if (response.error) throw new Error(`${method} failed: ${JSON.stringify(response.error)}`);
    return response.result?.['value'] as T;
  }

  /** Shorthand for `invoke`. */
  invoke<T = unknown>(object: string, operation: string, operationParams?: Record<string, unknown>): Promise<T> {
    return this.value<T>('invoke', { object, operation, ...(operationParams ? { operationParams } : {}) });
  }

  /** Sends raw text and waits for the response with `id` (or the next message when id is null). */
  send(payload: unknown, id: number | string | null): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${JSON.stringify(payload).slice(0, 200)}`)), 5000);
      const done = (m: Message) => {
        clearTimeout(timer);
        resolve(m);
      };
      if (id === null) this.socket.once('message', (d) => done(JSON.parse(d.toString()) as Message));
      else this.waiting.set(id, done);
      this.socket.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  }

  /** Waits for an onEvent notification of a type. */
  async event(type: string, timeoutMs = 5000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.notifications.find((n) => n.params?.value.type === type);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${type} event within ${timeoutMs} ms`);
  }

  /** Drops the socket without a closing handshake, as a vanished client does (its session enters its grace period). */
  drop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.terminate();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
