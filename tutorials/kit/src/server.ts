/**
 * The HTTPS side: the page's files from memory, and the tutorial's signalling WebSocket (one
 * path, e.g. `/helloworld`), whose connections go to `onSocket`. Only same-origin pages may open
 * that socket (a page on another site must not drive the media server through the user's browser).
 */
import { createServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Assets } from './assets.js';

/** Largest signalling message: an SDP offer with many candidates fits easily. */
const MAX_MESSAGE_BYTES = 256 * 1024;

const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
};

/** What startWebServer serves, where. */
export interface WebServerOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  assets: Assets;
  /** The signalling WebSocket's path. */
  path: string;
  /** Who fails to start on a busy port, for the message: "the Hello World server". */
  what: string;
  onSocket: (ws: WebSocket) => void;
}

/** A running page server. */
export interface WebServer {
  /** The port bound (useful with port 0). */
  readonly port: number;
  /** Closes every socket and stops listening. */
  close(): Promise<void>;
}

/** A port someone else holds: reported as such, not as a stack trace. */
export class PortBusyError extends Error {
  override readonly name = 'PortBusyError';
}

/** A listen error as the user should read it: a busy port is named, with the way out. */
export function listenError(e: unknown, port: number, what: string, hint: string): Error {
  if ((e as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
    return new PortBusyError(`port ${port} is busy: another program listens there, so ${what} cannot start (${hint})`);
  }
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Fails with a PortBusyError when `port` cannot be bound. Only needed before
 * MediaServer.start: on a busy port its WebSocketServer re-emits the listen error with no
 * listener, which kills the process instead of rejecting.
 */
export async function assertPortFree(port: number, host: string, what: string, hint: string): Promise<void> {
  if (port === 0) return;
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (e) => reject(listenError(e, port, what, hint)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Serves the page and its WebSocket; rejects with a PortBusyError when the port is taken. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    const asset = options.assets.get(path === '/index.html' ? '/' : path);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD', ...HEADERS }).end();
    if (!asset) return void res.writeHead(404, { 'content-type': 'text/plain', ...HEADERS }).end('Not found\n');
    res.writeHead(200, { 'content-type': asset.type, ...HEADERS }).end(req.method === 'HEAD' ? undefined : asset.body);
  });
  // Every TCP connection, so that close() can end them all (upgraded ones included).
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    const origin = req.headers.origin;
    // Browsers always send Origin; tools (and the tests' raw clients) may not.
    const sameOrigin = origin === undefined || safeHost(origin) === req.headers.host;
    if (path !== options.path || !sameOrigin) {
      socket.once('finish', () => socket.destroy()); // not waiting for the client to hang up
      socket.end(`HTTP/1.1 ${sameOrigin ? '404 Not Found' : '403 Forbidden'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, options.onSocket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(listenError(e, options.port, options.what, 'choose another with --port')));
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const socket of connections) socket.destroy();
      await closed;
    },
  };
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
