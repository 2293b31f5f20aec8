/**
 * JSON-RPC 2.0 requests over a (reconnecting) text transport, as the Kurento Protocol uses it:
 * numeric ids, one timeout per request, the session id added to every request once a response
 * has given one, and a gate: while the connection is down or being resumed, requests wait in a
 * queue (their timeouts still running) instead of going to a socket or a session that is not ready.
 */
import type { JsonObject, RpcSuccess } from '@kurento-ts/protocol';
import { ConnectionError, KurentoClientError, RequestTimeoutError } from '../errors.js';
import { parseIncoming } from './messages.js';

/** What the client needs from a transport. */
export interface Transport {
  /** Sends a frame; false when there is no open socket. */
  send(text: string): boolean;
}

/** The members of a successful result: `value`, `sessionId`, and for `describe` its own fields. */
export type RpcResult = RpcSuccess['result'];

export interface RequestOptions {
  /** Bypass the gate: for the requests that open it (the resume `connect`, pings). */
  readonly urgent?: boolean;
  /** Overrides the default timeout. */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly method: string;
  readonly frame: { jsonrpc: '2.0'; id: number; method: string; params: JsonObject };
  readonly resolve: (result: RpcResult) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** Whether the frame went out on the current socket. */
  sent: boolean;
}

export class JsonRpcClient {
  /** The Kurento session id, once a response carried one. */
  sessionId: string | undefined;
  /** Called for every server notification (Kurento sends `onEvent`). */
  onNotification: (method: string, params: JsonObject) => void = () => undefined;

  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private open = false;
  private closed: Error | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Sends a request; resolves with its `result`, rejects with a KurentoClientError. */
  request(method: string, params: JsonObject = {}, options: RequestOptions = {}): Promise<RpcResult> {
    if (this.closed) return Promise.reject(this.closed);
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestTimeoutError(method, timeoutMs));
      }, timeoutMs);
      const pending: Pending = { method, frame: { jsonrpc: '2.0', id, method, params }, resolve, reject, timer, sent: false };
      this.pending.set(id, pending);
      if (this.open || options.urgent) this.transmit(pending);
    });
  }

  /** Feeds one incoming frame. */
  receive(text: string): void {
    const message = parseIncoming(text);
    switch (message.kind) {
      case 'notification':
        this.onNotification(message.method, message.params);
        return;
      case 'invalid':
        return; // nothing to attribute it to: a request it should have answered will time out
      case 'result': {
        const pending = this.take(message.id);
        if (!pending) return; // late answer to a request that timed out
        if (typeof message.result.sessionId === 'string') this.sessionId = message.result.sessionId;
        pending.resolve(message.result);
        return;
      }
      case 'error': {
        // An error with no usable id (e.g. a frame the server could not parse) cannot be matched either.
        const pending = message.id === null ? undefined : this.take(message.id);
        pending?.reject(KurentoClientError.fromRpc(message.error, pending.method));
      }
    }
  }

  /** Opens the gate: queued requests go out, in order. */
  resume(): void {
    this.open = true;
    for (const pending of this.pending.values()) if (!pending.sent) this.transmit(pending);
  }

  /**
   * The socket dropped: close the gate, and fail the requests that were on it (they may or may
   * not have run, so replaying them could, e.g., create an object twice).
   */
  connectionLost(): void {
    this.open = false;
    for (const [id, pending] of this.pending) {
      if (!pending.sent) continue;
      this.pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new ConnectionError('CONNECTION_LOST', `The connection dropped while '${pending.method}' was in flight`, pending.method));
    }
  }

  /** Fails everything, now and later, with `error`; clears every timer. */
  close(error: Error): void {
    this.closed = error;
    this.open = false;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }

  private transmit(pending: Pending): void {
    const frame = this.sessionId === undefined || 'sessionId' in pending.frame.params ? pending.frame : { ...pending.frame, params: { ...pending.frame.params, sessionId: this.sessionId } };
    pending.sent = this.transport.send(JSON.stringify(frame));
  }

  private take(id: number | string): Pending | undefined {
    if (typeof id !== 'number') return undefined;
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }
}
