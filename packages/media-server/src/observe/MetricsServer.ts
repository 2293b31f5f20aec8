/**
 * `--metrics-port`: Prometheus text at `GET /metrics`, on its own port at `--metrics-address`
 * (loopback by default), with the control port's TLS and tokens. Each scrape gathers the server's
 * view once (observe/metrics.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../support/logger.js';
import { httpServer, listen } from '../support/httpServer.js';
import { ServerMetrics } from './metrics.js';
import { authorized } from './requestAuth.js';
import type { ViewSource } from './ServerView.js';

const log = createLogger('kms:metrics');

/** What the metrics server needs of the configuration. */
export interface MetricsOptions {
  metricsPort: number;
  metricsAddress: string;
  authToken: string;
  tlsCert: string;
  tlsKey: string;
}

export class MetricsServer {
  private readonly metrics = new ServerMetrics();
  private readonly http: Server;

  private constructor(private readonly options: MetricsOptions, private readonly view: ViewSource) {
    this.http = httpServer(options, (req, res) => void this.answer(req, res));
  }

  /** Starts listening; rejects naming the address when it cannot. */
  static async start(options: MetricsOptions, view: ViewSource): Promise<MetricsServer> {
    const server = new MetricsServer(options, view);
    await listen(server.http, options.metricsPort, options.metricsAddress, 'metrics');
    return server;
  }

  /** The URL Prometheus scrapes. */
  get url(): string {
    const { address, port } = this.http.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    return `${this.options.tlsCert ? 'https' : 'http'}://${host}:${port}/metrics`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorized(this.options.authToken, req, res)) return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    try {
      const text = await this.metrics.render(await this.view(true));
      res.writeHead(200, { 'content-type': this.metrics.contentType }).end(req.method === 'HEAD' ? undefined : text);
    } catch (e) {
      log.error('gathering metrics failed', e);
      res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics unavailable\n');
    }
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
