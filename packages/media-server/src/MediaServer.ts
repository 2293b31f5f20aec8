/** The composition root: config → hosts (registries, media workers) → sessions and budgets → protocol → WebSocket, and a clean stop. */
import type { RequestListener, Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { defaultConfig, validate, type ServerConfig } from './config/config.js';
import { descriptorWarning, machineFacts } from './config/machine.js';
import { HostRouter, type HostEvents } from './hosts/HostRouter.js';
import type { BudgetUse } from './limits/budgets.js';
import type { ObjectRegistry } from './registry/ObjectRegistry.js';
import { Dashboard } from './observe/Dashboard.js';
import { MetricsServer } from './observe/MetricsServer.js';
import type { ServerView } from './observe/ServerView.js';
import { isLoopback } from './rpc/auth.js';
import { Budgets } from './rpc/Budgets.js';
import { JsonRpcServer } from './rpc/JsonRpcServer.js';
import { ProtocolHandler } from './rpc/ProtocolHandler.js';
import { SessionManager } from './rpc/SessionManager.js';
import { httpServer } from './support/httpServer.js';
import { createLogger, setLogLevel } from './support/logger.js';
import { mediaPathReason } from './webrtc/nativeSockets.js';
import { prepareDtlsCertificate } from './webrtc/dtlsCertificate.js';

const log = createLogger('kms:server');

export class MediaServer {
  /** The main thread's objects: the ServerManager, and every media object when `mediaWorkers` is 0. */
  readonly registry: ObjectRegistry;
  /** Kurento sessions. */
  readonly sessions: SessionManager;
  private readonly hosts: HostRouter;
  private readonly limits: Budgets;
  private readonly http: HttpServer;
  private readonly rpc: JsonRpcServer;
  /** The live pipeline page on the control port (`--dashboard`). */
  private readonly dashboard: Dashboard | undefined;
  /** The Prometheus endpoint on its own port (`--metrics-port`), once listening. */
  private metrics: MetricsServer | undefined;

  private constructor(readonly config: ServerConfig) {
    this.sessions = new SessionManager(config.sessionGraceMs, (id) => this.hosts.release(id), () => this.limits.sessionAbandoned());
    const hostEvents: HostEvents = {
      sessionIds: () => this.sessions.sessionIds(),
      deliver: (id, type, data) => {
        this.sessions.deliver(id, type, data);
        this.dashboard?.heard(type);
      },
      forget: (id) => {
        this.sessions.forget(id);
        this.limits.forget(id);
      },
      budgets: () => this.budgets(),
    };
    this.hosts = new HostRouter(config, hostEvents);
    this.limits = new Budgets(config, this.sessions, () => this.hosts.usage(), () => this.rpc.connections);
    this.registry = this.hosts.local.registry;
    this.dashboard = config.dashboard ? new Dashboard(config.authToken, (reset) => this.observe(reset)) : undefined;
    const plainHttp: RequestListener = (req, res) => {
      if (this.dashboard?.handle(req, res)) return;
      res.writeHead(426, { 'content-type': 'text/plain' }).end('This is a Kurento Protocol endpoint: connect with a WebSocket\n');
    };
    this.http = httpServer(config, plainHttp);
    const rpcOptions = { path: config.path, maxPayload: config.maxMessageBytes, authToken: config.authToken, maxRequestsPerSecond: config.maxRequestsPerSecond };
    this.rpc = new JsonRpcServer(this.http, rpcOptions, new ProtocolHandler(this.hosts, this.sessions, this.limits), this.sessions, this.limits);
  }

  /** Starts a server; `port: 0` picks a free port (see `port`). */
  static async start(overrides: Partial<ServerConfig> = {}): Promise<MediaServer> {
    const config = validate({ ...defaultConfig, ...overrides });
    setLogLevel(config.logLevel);
    const server = new MediaServer(config);
    if (!isLoopback(config.host) && !config.authToken) {
      log.warn(`!!! The control port listens on ${config.host} WITHOUT authentication: anyone who reaches it can create pipelines. Set --auth-token (and --tls-cert/--tls-key). !!!`);
    }
    if (config.metricsPort !== 0 && !isLoopback(config.metricsAddress) && !config.authToken) {
      log.warn(`The metrics listen on ${config.metricsAddress} without authentication: anyone who reaches them sees what this server runs. Set --auth-token.`);
    }
    const descriptors = descriptorWarning(config, machineFacts());
    if (descriptors) log.warn(descriptors);
    try {
      await server.hosts.ready();
      // The main thread hosts the media when there are no media workers (each worker makes its own).
      if (config.mediaWorkers === 0) await prepareDtlsCertificate();
      await new Promise<void>((resolve, reject) => {
        server.http.once('error', reject);
        server.http.listen(config.port, config.host, () => resolve());
      });
      if (config.metricsPort !== 0) server.metrics = await MetricsServer.start(config, (reset) => server.observe(reset));
    } catch (e) {
      await server.stop();
      if (e instanceof Error && e.message.startsWith('metrics:')) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new Error(`port ${config.port} on ${config.host} is already in use`);
      if (code === 'EADDRNOTAVAIL') throw new Error(`${config.host} is not an address of this machine`);
      throw e;
    }
    log.debug(`Kurento Protocol on ${server.url}`);
    log.info(`media path: ${config.rtpFastPath ? mediaPathReason() : "werift's packet objects (rtpFastPath off)"}`);
    if (server.metrics) log.info(`Prometheus metrics on ${server.metrics.url}`);
    if (server.dashboard) log.info(`pipeline dashboard on ${server.dashboardUrl ?? ''}`);
    return server;
  }

  /** The port actually bound. */
  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** The WebSocket URL clients connect to. */
  get url(): string {
    return `${this.config.tlsCert ? 'wss' : 'ws'}://${this.authority}${this.config.path}`;
  }

  /** `host:port` of the control port, an IPv6 address in brackets. */
  private get authority(): string {
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `${host}:${this.port}`;
  }

  /** The dashboard's page (`--dashboard`), without a token; undefined when it is off. */
  get dashboardUrl(): string | undefined {
    return this.dashboard && `${this.config.tlsCert ? 'https' : 'http'}://${this.authority}/dashboard`;
  }

  /** The Prometheus endpoint (`--metrics-port`); undefined when it is off. */
  get metricsUrl(): string | undefined {
    return this.metrics?.url;
  }

  /** The server as an operator sees it now (what metrics and the dashboard read); `resetLoopDelay` for a metrics scrape. */
  async observe(resetLoopDelay = false): Promise<ServerView> {
    const hosts = await this.hosts.observe(resetLoopDelay);
    return { at: Date.now(), sessions: this.sessions.sessionIds().length, connections: this.rpc.connections, budgets: this.limits.use(), hosts };
  }

  /** Number of open client sockets. */
  get connections(): number {
    return this.rpc.connections;
  }

  /** Drops every client socket (their sessions wait out the grace period); returns how many. */
  dropConnections(): number {
    return this.rpc.dropConnections();
  }

  /** Live objects (`main` counts the ServerManager) and media UDP sockets per host: `main`, then each media worker. */
  hostLoad(): { host: string; objects: number; udpSockets: number }[] {
    return this.hosts.load();
  }

  /** Every budget with its use now (what the ServerManager's `budgets` reports; for metrics too). */
  budgets(): BudgetUse[] {
    return this.limits.use();
  }

  /** The media worker threads running now (for tests and diagnostics; terminating one is a worker crash). */
  get workerThreads(): readonly Worker[] {
    return this.hosts.threads;
  }

  /** Releases everything, ends the media workers, closes sockets and stops listening. */
  async stop(): Promise<void> {
    this.dashboard?.close();
    await this.metrics?.close();
    this.limits.close();
    this.sessions.closeAll();
    await this.hosts.close();
    await this.rpc.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
