/** The composition root: config → registry → sessions → protocol → WebSocket, and a clean stop. */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SERVER_MANAGER_ID } from '@kurento-ts/protocol';
import { defaultConfig, validate, type ServerConfig } from './config/config.js';
import { ObjectRegistry } from './registry/ObjectRegistry.js';
import { isLoopback } from './rpc/auth.js';
import { JsonRpcServer } from './rpc/JsonRpcServer.js';
import { ProtocolHandler } from './rpc/ProtocolHandler.js';
import { SessionManager } from './rpc/SessionManager.js';
import { createLogger, setLogLevel } from './support/logger.js';

const log = createLogger('kms:server');

export class MediaServer {
  /** Live media objects. */
  readonly registry: ObjectRegistry;
  /** Kurento sessions. */
  readonly sessions: SessionManager;
  private readonly http: HttpServer;
  private readonly rpc: JsonRpcServer;

  private constructor(readonly config: ServerConfig) {
    // A session's hold on the ServerManager ends with the session; the manager lives on.
    this.sessions = new SessionManager(config.sessionGraceMs, (id) => {
      if (id !== SERVER_MANAGER_ID) this.registry.resolve(id)?.release();
    });
    this.registry = new ObjectRegistry(config, () => this.sessions.ids());
    this.registry.listen({
      event: (object, type, data) => this.sessions.deliver(object, type, data),
      released: (object) => this.sessions.forget(object.id),
    });
    const plainHttp: RequestListener = (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('This is a Kurento Protocol endpoint: connect with a WebSocket\n');
    };
    this.http = config.tlsCert
      ? createHttpsServer({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, plainHttp)
      : createServer(plainHttp);
    const rpcOptions = { path: config.path, maxPayload: config.maxMessageBytes, authToken: config.authToken, maxRequestsPerSecond: config.maxRequestsPerSecond };
    this.rpc = new JsonRpcServer(this.http, rpcOptions, new ProtocolHandler(this.registry, this.sessions), this.sessions);
  }

  /** Starts a server; `port: 0` picks a free port (see `port`). */
  static async start(overrides: Partial<ServerConfig> = {}): Promise<MediaServer> {
    const config = validate({ ...defaultConfig, ...overrides });
    setLogLevel(config.logLevel);
    const server = new MediaServer(config);
    if (!isLoopback(config.host) && !config.authToken) {
      log.warn(`!!! The control port listens on ${config.host} WITHOUT authentication: anyone who reaches it can create pipelines. Set --auth-token (and --tls-cert/--tls-key). !!!`);
    }
    try {
      await new Promise<void>((resolve, reject) => {
        server.http.once('error', reject);
        server.http.listen(config.port, config.host, () => resolve());
      });
    } catch (e) {
      await server.stop();
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new Error(`port ${config.port} on ${config.host} is already in use`);
      if (code === 'EADDRNOTAVAIL') throw new Error(`${config.host} is not an address of this machine`);
      throw e;
    }
    log.debug(`Kurento Protocol on ${server.url}`);
    return server;
  }

  /** The port actually bound. */
  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** The WebSocket URL clients connect to. */
  get url(): string {
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `${this.config.tlsCert ? 'wss' : 'ws'}://${host}:${this.port}${this.config.path}`;
  }

  /** Number of open client sockets. */
  get connections(): number {
    return this.rpc.connections;
  }

  /** Drops every client socket (their sessions wait out the grace period); returns how many. */
  dropConnections(): number {
    return this.rpc.dropConnections();
  }

  /** Releases everything, closes sockets and stops listening. */
  async stop(): Promise<void> {
    this.sessions.closeAll();
    this.registry.releaseAll();
    await this.rpc.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
