/**
 * The WebSocket edge: one Connection per socket, message size capped by `ws` itself
 * (`maxPayload`), a bounded number of requests in flight per socket, and dead peers detected
 * with WebSocket pings.
 */
import type { Server as HttpServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { presentedToken, tokenMatches } from './auth.js';
import { createLogger } from '../support/logger.js';
import type { ProtocolHandler } from './ProtocolHandler.js';
import type { Connection, Session, SessionManager } from './SessionManager.js';

const log = createLogger('kms:ws');
const MAX_IN_FLIGHT = 64;
const HEARTBEAT_MS = 30_000;

class SocketConnection implements Connection {
  session: Session | undefined;
  inFlight = 0;
  alive = true;

  constructor(readonly socket: WebSocket) {}

  notify(text: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(text);
  }
}

export class JsonRpcServer {
  private readonly wss: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly bySocket = new WeakMap<WebSocket, SocketConnection>();

  constructor(
    server: HttpServer,
    path: string,
    maxPayload: number,
    authToken: string,
    private readonly handler: ProtocolHandler,
    private readonly sessions: SessionManager,
  ) {
    this.wss = new WebSocketServer({
      server,
      path,
      maxPayload,
      verifyClient: authToken ? ({ req }, done) => (tokenMatches(authToken, presentedToken(req)) ? done(true) : done(false, 401, 'Unauthorized')) : undefined,
    });
    this.wss.on('connection', (socket) => this.accept(socket));
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Number of open sockets. */
  get connections(): number {
    return this.wss.clients.size;
  }

  private accept(socket: WebSocket): void {
    const connection = new SocketConnection(socket);
    this.bySocket.set(socket, connection);
    socket.on('pong', () => (connection.alive = true));
    // Binary frames are read as UTF-8 text: the official Node client sends its JSON in them.
    socket.on('message', (data) => {
      if (connection.inFlight >= MAX_IN_FLIGHT) {
        connection.notify(JSON.stringify({ jsonrpc: '2.0', id: requestId(data.toString()), error: { code: 40009, message: `Too many requests in flight (max ${MAX_IN_FLIGHT})`, data: { type: 'NOT_ENOUGH_RESOURCES' } } }));
        return;
      }
      connection.inFlight++;
      const text = data.toString();
      if (log.debugEnabled) log.debug(`<- ${text.slice(0, 2000)}`);
      this.handler
        .handle(connection, text)
        .then((response) => {
          if (response === undefined) return;
          if (log.debugEnabled) log.debug(`-> ${response.slice(0, 2000)}`);
          connection.notify(response);
        })
        .catch((e: unknown) => log.error('request failed', e))
        .finally(() => connection.inFlight--);
    });
    socket.on('close', () => this.sessions.detach(connection));
    socket.on('error', (e) => log.debug('socket error', e));
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
