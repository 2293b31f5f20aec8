/**
 * The WebSocket edge: one Connection per socket, message size capped by `ws` itself
 * (`maxPayload`), a request rate and a bounded number of requests in flight per socket, a cap on
 * what a socket that does not read may make us buffer, and dead peers detected with pings.
 * A handshake is checked for its token (401), then for the WebSocket budgets (503).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { flagOf } from '../config/config.js';
import { authTokens, matchingToken, presentedToken } from './auth.js';
import type { Budgets } from './Budgets.js';
import { clientIds, type Client, type ClientId } from './clients.js';
import { RequestBudget } from './RequestBudget.js';
import { createLogger } from '../support/logger.js';
import type { ProtocolHandler } from './ProtocolHandler.js';
import type { Connection, Session, SessionManager } from './SessionManager.js';

const log = createLogger('kms:ws');
/** Requests of one socket handled at once; further ones wait with the socket paused. */
const MAX_IN_FLIGHT = 64;
const HEARTBEAT_MS = 30_000;
/** A client that leaves this much of our output unread is cut off rather than buffered for. */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

export interface RpcServerOptions {
  path: string;
  maxPayload: number;
  authToken: string;
  maxRequestsPerSecond: number;
}

class SocketConnection implements Connection {
  session: Session | undefined;
  inFlight = 0;
  /** Requests read while MAX_IN_FLIGHT were running; the socket is paused meanwhile. */
  readonly waiting: string[] = [];
  alive = true;
  readonly budget: RequestBudget;

  constructor(
    readonly socket: WebSocket,
    maxRequestsPerSecond: number,
    readonly clients: readonly Client[],
  ) {
    this.budget = new RequestBudget(maxRequestsPerSecond);
  }

  notify(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_UNREAD_BYTES) {
      log.warn(`a client left ${this.socket.bufferedAmount} bytes unread: closing its socket`);
      this.socket.terminate();
      return;
    }
    this.socket.send(text);
  }

  /** Answers a request we will not run. */
  refuse(data: RawData, message: string): void {
    this.notify(JSON.stringify({ jsonrpc: '2.0', id: requestId(data.toString()), error: { code: 40009, message, data: { type: 'NOT_ENOUGH_RESOURCES' } } }));
  }
}

export class JsonRpcServer {
  private readonly wss: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly bySocket = new WeakMap<WebSocket, SocketConnection>();
  /** Who each admitted handshake is charged to, until its socket opens. */
  private readonly admitted = new WeakMap<IncomingMessage, ClientId[]>();

  constructor(
    server: HttpServer,
    private readonly options: RpcServerOptions,
    private readonly handler: ProtocolHandler,
    private readonly sessions: SessionManager,
    private readonly budgets: Budgets,
  ) {
    const { path, maxPayload } = options;
    const tokens = authTokens(options.authToken);
    this.wss = new WebSocketServer({
      server,
      path,
      maxPayload,
      verifyClient: ({ req }, done) => {
        const token = matchingToken(tokens, presentedToken(req));
        if (tokens.length > 0 && token === undefined) return done(false, 401, 'Unauthorized');
        // With one shared token, clients are told apart by address only.
        const ids = clientIds(req.socket.remoteAddress, tokens.length > 1 ? token : undefined);
        const refusal = this.budgets.socketRefusal(ids);
        if (refusal) {
          log.debug(`WebSocket refused: ${refusal}`);
          return done(false, 503, refusal);
        }
        this.admitted.set(req, ids);
        done(true);
      },
    });
    this.wss.on('connection', (socket, req) => this.accept(socket, req));
    // ws re-emits the HTTP server's errors (a busy port): MediaServer.start reports those.
    this.wss.on('error', (e) => log.debug('WebSocket server error', e));
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Number of open sockets. */
  get connections(): number {
    return this.wss.clients.size;
  }

  private accept(socket: WebSocket, req: IncomingMessage): void {
    const clients = this.budgets.socketOpened(this.admitted.get(req) ?? clientIds(req.socket.remoteAddress, undefined));
    const connection = new SocketConnection(socket, this.options.maxRequestsPerSecond, clients);
    this.bySocket.set(socket, connection);
    socket.on('pong', () => (connection.alive = true));
    // Binary frames are read as UTF-8 text: the official Node client sends its JSON in them.
    socket.on('message', (data) => {
      if (!connection.budget.take()) return connection.refuse(data, `Too many requests (max ${this.options.maxRequestsPerSecond} a second, ${flagOf('maxRequestsPerSecond')})`);
      const text = data.toString();
      if (connection.inFlight < MAX_IN_FLIGHT) return this.run(connection, text);
      // Backpressure, not refusal: stop reading the socket until answers catch up.
      connection.waiting.push(text);
      socket.pause();
    });
    socket.on('close', () => {
      this.sessions.detach(connection);
      this.budgets.socketClosed(clients);
    });
    socket.on('error', (e) => log.debug('socket error', e));
  }

  private run(connection: SocketConnection, text: string): void {
    connection.inFlight++;
    if (log.debugEnabled) log.debug(`<- ${text.slice(0, 2000)}`);
    this.handler
      .handle(connection, text)
      .then((response) => {
        if (response === undefined) return;
        if (log.debugEnabled) log.debug(`-> ${response.slice(0, 2000)}`);
        connection.notify(response);
      })
      .catch((e: unknown) => log.error('request failed', e))
      .finally(() => {
        connection.inFlight--;
        const next = connection.waiting.shift();
        if (next !== undefined) this.run(connection, next);
        else if (connection.socket.isPaused) connection.socket.resume();
      });
  }

  /** Terminates sockets that did not answer the previous ping, and pings the rest. */
  private checkAlive(): void {
    for (const socket of this.wss.clients) {
      const connection = this.bySocket.get(socket);
      if (!connection) continue;
      if (!connection.alive) {
        socket.terminate();
        continue;
      }
      connection.alive = false;
      socket.ping();
    }
  }

  /** Terminates every client socket; returns how many there were. */
  dropConnections(): number {
    const count = this.wss.clients.size;
    for (const socket of this.wss.clients) socket.terminate();
    return count;
  }

  /** Closes every socket and stops accepting. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** The id of a request we will not run, so the refusal can still name it. */
function requestId(text: string): number | string | null {
  const m = /"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)/.exec(text.slice(0, 4096));
  if (!m?.[1]) return null;
  try {
    return JSON.parse(m[1]) as number | string;
  } catch {
    return null;
  }
}
