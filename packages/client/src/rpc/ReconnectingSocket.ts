/**
 * A WebSocket that comes back: when an open socket drops, it reopens with exponential backoff
 * until it succeeds, runs out of attempts, or is closed. It moves text only; what a reconnection
 * means for the protocol (resuming the session) is decided above it.
 */
import WebSocket from 'ws';
import { ConnectionError } from '../errors.js';
import { TypedEmitter } from '../util/TypedEmitter.js';

/** How to retry after the socket drops. */
export interface ReconnectPolicy {
  /** Delay before the first attempt, in ms. */
  readonly initialDelayMs: number;
  /** Longest delay between attempts, in ms. */
  readonly maxDelayMs: number;
  /** Growth of the delay after each failed attempt. */
  readonly factor: number;
  /** Attempts before giving up (Infinity: never). */
  readonly maxAttempts: number;
}

export interface SocketOptions {
  /** Longest wait for one opening handshake, in ms. */
  readonly connectTimeoutMs: number;
  /** Retry policy; false: a drop is final. */
  readonly reconnect: ReconnectPolicy | false;
}

export type SocketEvents = {
  /** A socket opened; `reconnect` is false for the first one. */
  open: [reconnect: boolean];
  /** The open socket dropped; a reconnection follows unless the policy says otherwise. */
  drop: [code: number, reason: string];
  /** Reconnection attempt number `attempt` (1-based) starts in `delayMs`; `cause` is why. */
  retry: [attempt: number, delayMs: number, cause: Error];
  /** Reconnection stopped for good (attempts exhausted or reconnection disabled). */
  giveUp: [error: Error];
  /** A text frame. */
  message: [text: string];
};

/** The delay before attempt `attempt` (0-based). */
export function backoffDelay(policy: ReconnectPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
}

export class ReconnectingSocket extends TypedEmitter<SocketEvents> {
  private socket: WebSocket | undefined;
  /** A socket still in its opening handshake, so close() can abort it. */
  private dialing: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly options: SocketOptions,
  ) {
    super();
  }

  /** Whether a socket is open now. */
  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the first socket; rejects (without retrying) when that fails. */
  async open(): Promise<void> {
    const socket = await this.dial();
    this.adopt(socket, false);
  }

  /** Sends a text frame; false when no socket is open. */
  send(text: string): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(text);
    return true;
  }

  /** Kills the current socket as if the network had dropped it (used when pings go unanswered). */
  drop(): void {
    if (this.closing === undefined) this.socket?.terminate();
  }

  /** Stops for good: no more attempts; resolves when the socket is closed and no timer remains. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const sockets = [this.socket, this.dialing].filter((s): s is WebSocket => s !== undefined);
    this.socket = undefined;
    this.dialing = undefined;
    await Promise.all(sockets.map(closeSocket));
  }

  /** Opens one socket, or fails after the connect timeout. */
  private dial(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, { handshakeTimeout: this.options.connectTimeoutMs });
      this.dialing = socket;
      const fail = (e: Error) => {
        socket.off('open', opened);
        if (this.dialing === socket) this.dialing = undefined;
        // The close that follows the error must still be awaited so no handle outlives us.
        if (socket.readyState === WebSocket.CLOSED) reject(e);
        else socket.once('close', () => reject(e));
      };
      const opened = () => {
        socket.off('error', failed);
        resolve(socket); // still `dialing` until adopted, so a close() in between closes it
      };
      socket.once('open', opened);
      const failed = (e: Error) => fail(new ConnectionError('CONNECTION_FAILED', `Cannot connect to ${this.url}: ${e.message}`));
      socket.once('error', failed);
    });
  }

  /** Takes an open socket into service. */
  private adopt(socket: WebSocket, reconnect: boolean): void {
    if (this.dialing === socket) this.dialing = undefined;
    if (this.closing !== undefined) return; // close() took care of it
    this.socket = socket;
    this.attempts = 0;
    socket.on('error', () => {
      // 'close' always follows an error; it decides what happens next.
    });
    socket.on('message', (data) => this.emit('message', textOf(data)));
    socket.once('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.emit('drop', code, reason.toString());
      this.scheduleRetry(new ConnectionError('CONNECTION_LOST', `Connection to ${this.url} lost (code ${code})`));
    });
    this.emit('open', reconnect);
  }

  private scheduleRetry(cause: Error): void {
    const policy = this.options.reconnect;
    if (this.closing !== undefined) return;
    if (policy === false || this.attempts >= policy.maxAttempts) {
      this.emit('giveUp', cause);
      return;
    }
    const delay = backoffDelay(policy, this.attempts);
    this.attempts++;
    this.emit('retry', this.attempts, delay, cause);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.dial().then(
        (socket) => this.adopt(socket, true),
        (e: Error) => this.scheduleRetry(e),
      );
    }, delay);
  }
}

/** Closes a socket politely, forcing it after a short wait; resolves once it is closed. */
function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => socket.terminate(), 1000);
    socket.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    socket.on('error', () => {
      // closing: errors are expected and irrelevant
    });
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'client closed');
    else socket.terminate();
  });
}

/** A frame's text, whatever buffer form `ws` delivered it in. */
function textOf(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
