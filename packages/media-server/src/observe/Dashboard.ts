/**
 * `--dashboard`: the live pipeline page, served by the control port's HTTP server (its address,
 * TLS and tokens) under `/dashboard`. The page (observe/dashboard/page.html with its app.js inline)
 * lays the graph out with elkjs (`/dashboard/elk.js`) and draws plain SVG; it listens to
 * `/dashboard/events`, a Server-Sent Events stream that sends a view every second while someone
 * watches, and sooner when the ServerManager or an element reports a change (created, destroyed,
 * connected, media starting or stopping). Nothing is gathered while no one watches.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { createLogger } from '../support/logger.js';
import { dashboardView, type EdgeBytes } from './dashboardView.js';
import { authorized } from './requestAuth.js';
import type { ViewSource } from './ServerView.js';

const log = createLogger('kms:dashboard');
/** How often watchers get a view. */
const TICK_MS = 1000;
/** How soon after a reported change a view goes out (changes come in bursts). */
const CHANGE_DELAY_MS = 100;
/** Pages watching at once; more are refused (503). */
const MAX_WATCHERS = 16;
/** Events after which the picture changes. */
const GRAPH_EVENTS = new Set(['ObjectCreated', 'ObjectDestroyed', 'ElementConnected', 'ElementDisconnected', 'MediaFlowInStateChanged', 'MediaFlowOutStateChanged', 'MediaTranscodingStateChanged']);

/** The page's files, beside this module (scripts/build-packages.mjs copies them into dist/ too). */
const ASSETS = new URL('./dashboard/', import.meta.url);

/** The page, with its script inline, and the script's hash for the Content-Security-Policy. */
function loadPage(): { html: string; csp: string } {
  const app = readFileSync(new URL('app.js', ASSETS), 'utf8');
  const html = readFileSync(new URL('page.html', ASSETS), 'utf8').replace('/*APP*/', () => app);
  const hash = createHash('sha256').update(app).digest('base64');
  return { html, csp: `default-src 'none'; script-src 'self' 'sha256-${hash}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:` };
}

export class Dashboard {
  private readonly page = loadPage();
  private readonly elk = readFileSync(createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js'));
  private readonly watchers = new Set<ServerResponse>();
  private ticker: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private previous: EdgeBytes | undefined;
  private sending = false;

  constructor(private readonly authToken: string, private readonly view: ViewSource) {}

  /** Answers a request under `/dashboard`; returns false for other paths (not the dashboard's). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return false;
    if (!authorized(this.authToken, req, res)) return true;
    const common = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (req.method !== 'GET') res.writeHead(405, { ...common, allow: 'GET' }).end();
    else if (path === '/dashboard' || path === '/dashboard/') res.writeHead(200, { ...common, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': this.page.csp }).end(this.page.html);
    else if (path === '/dashboard/elk.js') res.writeHead(200, { ...common, 'content-type': 'text/javascript' }).end(this.elk);
    else if (path === '/dashboard/events') this.watch(res);
    else res.writeHead(404, { ...common, 'content-type': 'text/plain' }).end('Not found\n');
    return true;
  }

  /** An object raised an event: a graph change sends the next view soon. */
  heard(type: string): void {
    if (this.watchers.size === 0 || !GRAPH_EVENTS.has(type) || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.send();
    }, CHANGE_DELAY_MS);
  }

  /** Ends every watcher's stream and stops the timers. */
  close(): void {
    for (const res of this.watchers) res.end();
    this.watchers.clear();
    this.stop();
  }

  private watch(res: ServerResponse): void {
    if (this.watchers.size >= MAX_WATCHERS) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`Too many dashboard pages open (max ${MAX_WATCHERS})\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    this.watchers.add(res);
    res.on('close', () => {
      this.watchers.delete(res);
      if (this.watchers.size === 0) this.stop();
    });
    this.ticker ??= setInterval(() => void this.send(), TICK_MS);
    void this.send();
  }

  private stop(): void {
    clearInterval(this.ticker);
    clearTimeout(this.soon);
    this.ticker = this.soon = undefined;
    this.previous = undefined;
  }

  /** Gathers a view and sends it to every watcher (one gathering at a time). */
  private async send(): Promise<void> {
    if (this.sending || this.watchers.size === 0) return;
    this.sending = true;
    try {
      const { view, bytes } = dashboardView(await this.view(false), this.previous);
      this.previous = bytes;
      const frame = `data: ${JSON.stringify(view)}\n\n`;
      for (const res of this.watchers) res.write(frame);
    } catch (e) {
      log.error('gathering the dashboard view failed', e);
    } finally {
      this.sending = false;
    }
  }
}
