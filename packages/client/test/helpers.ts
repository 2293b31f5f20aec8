/** Test support: the real media server in-process, a scriptable fake, and handle accounting. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { MediaServer, type ServerConfig } from '@kurento-ts/media-server';
import { WebSocketServer, type WebSocket } from 'ws';
import { KurentoClientError } from '../src/index.js';

/** Starts the real server on a free loopback port, media on 127.0.0.1. */
export function startServer(overrides: Partial<ServerConfig> = {}): Promise<MediaServer> {
  return MediaServer.start({ port: 0, networkInterfaces: ['127.0.0.1'], logLevel: 'warn', ...overrides });
}

/** Kills every client socket from the server side, as a network failure would. */
export function dropClients(server: MediaServer): void {
  server.dropConnections();
}

/** Polls `probe` until it returns a truthy value. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 5000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Asserts a promise rejects with a KurentoClientError of this code and type. */
export async function rejectsWith(promise: Promise<unknown>, code: number, type: string): Promise<KurentoClientError> {
  let error: unknown;
  await assert.rejects(promise, (e: unknown) => {
    error = e;
    return true;
  });
  assert.ok(error instanceof KurentoClientError, `expected a KurentoClientError, got ${String(error)}`);
  assert.equal(error.type, type, error.message);
  assert.equal(error.code, code, error.message);
  return error;
}

/** Counts of the handle kinds a client could leak. */
export function handles(): { tcp: number; timeouts: number } {
  const info = process.getActiveResourcesInfo();
  return { tcp: info.filter((r) => r === 'TCPWrap').length, timeouts: info.filter((r) => r === 'Timeout').length };
}

/** Waits until the process holds no more sockets and timers than `before` (the server's side closes a tick later). */
export async function assertNoLeaks(before: { tcp: number; timeouts: number }): Promise<void> {
  await waitFor('sockets and timers to be released', () => {
    const now = handles();
    return now.tcp <= before.tcp && now.timeouts <= before.timeouts;
  }, 2000).catch(() => assert.deepEqual(handles(), before, `left: ${process.getActiveResourcesInfo().join(', ')}`));
}

/** A frame a fake server received. */
export interface Frame {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

/** Answers a request: a result object, an error object, or undefined to stay silent. */
export type FakeHandler = (
  frame: Frame,
  connection: number,
) => (({ result: Record<string, unknown> } | { error: { code: number; message: string } }) & { delayMs?: number }) | undefined;

/** A WebSocket server that answers as a handler says and records every frame. */
export class FakeServer {
  readonly frames: Frame[] = [];
  /** Request URLs of accepted connections, in order. */
  readonly connections: string[] = [];

  private constructor(private readonly wss: WebSocketServer, public handler: FakeHandler) {
    wss.on('connection', (socket, request) => {
      const connection = this.connections.push(request.url ?? '') - 1;
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        this.frames.push(frame);
        const answer = this.handler(frame, connection);
        if (!answer) return;
        const { delayMs, ...body } = answer;
        const send = () => socket.readyState === socket.OPEN && socket.send(JSON.stringify({ jsonrpc: '2.0', id: frame.id, ...body }));
        if (delayMs === undefined) send();
        else setTimeout(send, delayMs);
      });
    });
  }

  static async start(handler: FakeHandler): Promise<FakeServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new FakeServer(wss, handler);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/kurento`;
  }

  /** Frames of one method. */
  calls(method: string): Frame[] {
    return this.frames.filter((f) => f.method === method);
  }

  /** Kills every open socket. */
  dropAll(): void {
    for (const socket of this.wss.clients) socket.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** A fake that answers only `ping`. */
export const pingOnly: FakeHandler = (frame) => (frame.method === 'ping' ? { result: { value: 'pong' } } : undefined);
