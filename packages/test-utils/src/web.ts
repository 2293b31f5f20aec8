/**
 * A tiny web server on 127.0.0.1 (a secure context, so getUserMedia works): files from memory,
 * and WebSocket routes for the application servers that tests play.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', map: 'application/json' };

export interface Site {
  url: string;
  close(): Promise<void>;
}

/** Serves `files` (URL path → contents) and hands WebSocket connections on `sockets` paths to their handler. */
export async function serve(files: Record<string, string>, sockets: Record<string, (ws: WebSocket) => void> = {}): Promise<Site> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = files[path];
    if (path === '/favicon.ico') return void res.writeHead(204).end(); // keep the console free of 404s
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[path.split('.').pop() ?? ''] ?? 'text/html', 'cache-control': 'no-store' }).end(body);
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const handler = sockets[new URL(req.url ?? '/', 'http://x').pathname];
    if (!handler) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, handler);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
