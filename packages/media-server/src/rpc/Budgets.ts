/**
 * The budgets one client cannot walk around, enforced where requests enter: WebSockets and
 * sessions (per client and in all), media objects (per session, per client, in all) with
 * pipelines and endpoints in all. A refusal is 40009 NOT_ENOUGH_RESOURCES naming the budget and
 * its flag, before anything is made; what already exists is untouched. Media UDP sockets are
 * leased where transports open them (limits/SocketBudget.ts) and only read here.
 *
 * Sessions in their grace period count against their owners. While a budget is 80 % used (the
 * server's, or a client's for its own sessions), a disconnected session keeps its objects only
 * `sessionGraceUnderPressureMs`: the oldest are released first, until the pressure ends. That
 * runs in the background (when a session disconnects, when a create brings pressure, when the
 * oldest reaches the shorter grace); a request past a budget waits for it before it is refused.
 */
import { KurentoError, isA, type CreatableClass } from '@kurento-ts/protocol';
import { flagOf, type ServerConfig } from '../config/config.js';
import type { HostUsage } from '../hosts/HostRouter.js';
import {
  clientBudgetReached, fits, PressureWarnings, serverBudgetReached, underPressure,
  type BudgetUse, type ClientBudgetOption, type ServerBudgetOption,
} from '../limits/budgets.js';
import { createLogger } from '../support/logger.js';
import { ClientTable, type Client, type ClientId } from './clients.js';
import type { Connection, Session, SessionManager } from './SessionManager.js';

const log = createLogger('kms:budgets');

/** The budget options this class enforces. */
export type BudgetConfig = Pick<ServerConfig, ServerBudgetOption | ClientBudgetOption | 'maxObjectsPerSession' | 'sessionGraceUnderPressureMs'>;

/** The server-wide counts a create may add to. */
type CreateKind = 'pipelines' | 'endpoints' | 'other';

/** A create admitted against every budget; counted as made until it ends. */
export interface CreateTicket {
  /** The object exists: it counts against its creator's clients until it is released. */
  created(id: string): void;
  /** The create is over, made or not. */
  end(): void;
}

export class Budgets {
  private readonly clients: ClientTable;
  /** The clients each live object counts against (those of the session that created it). */
  private readonly creators = new Map<string, readonly Client[]>();
  /** Creations running, per server-wide count. */
  private readonly creating: Record<CreateKind, number> = { pipelines: 0, endpoints: 0, other: 0 };
  private readonly warnings = new PressureWarnings();
  /** The pressure relief running now, if any (one at a time). */
  private relieving: Promise<void> | undefined;
  private reliefTimer: NodeJS.Timeout | undefined;
  /** When the relief timer fires (performance.now()). */
  private reliefAt = Infinity;

  /**
   * @param hosts what the hosts hold (objects, pipelines, endpoints, sockets)
   * @param sockets open WebSockets
   */
  constructor(
    private readonly config: BudgetConfig,
    private readonly sessions: SessionManager,
    private readonly hosts: () => HostUsage,
    private readonly sockets: () => number,
  ) {
    this.clients = new ClientTable((client) => this.warnings.forget(client.id.label));
  }

  // ---- WebSockets ----

  /** Why a new WebSocket of these clients is refused, or undefined when it may open. */
  socketRefusal(ids: readonly ClientId[]): string | undefined {
    const { maxSessions, maxSessionsPerClient } = this.config;
    for (const id of ids) {
      const open = this.clients.find(id)?.sockets ?? 0;
      if (!fits(open, 1, maxSessionsPerClient)) return clientBudgetReached('maxSessionsPerClient', id.label, open, maxSessionsPerClient).message;
    }
    const open = this.sockets();
    return fits(open, 1, maxSessions) ? undefined : serverBudgetReached('maxSessions', open, maxSessions).message;
  }

  /** A WebSocket opened: the clients it is charged to. */
  socketOpened(ids: readonly ClientId[]): Client[] {
    return ids.map((id) => {
      const client = this.clients.get(id);
      client.sockets++;
      return client;
    });
  }

  /** A WebSocket closed. */
  socketClosed(clients: readonly Client[]): void {
    for (const client of clients) {
      client.sockets--;
      client.settle();
    }
  }

  // ---- sessions ----

  /**
   * Opens a session for `connection` with `open` within the budgets (throws 40009). Past one, the
   * relief runs first; the deciding check and the opening happen together, in one step.
   */
  async openSession(connection: Connection, open: () => Session): Promise<Session> {
    if (this.sessionRefusal(connection)) await this.relieve();
    // Another request of this connection may have opened one meanwhile.
    if (connection.session) return connection.session;
    const refusal = this.sessionRefusal(connection);
    if (refusal) throw refusal;
    const session = open();
    for (const client of session.clients) this.warnings.check('maxSessionsPerClient', client.sessions, this.config.maxSessionsPerClient, client.id.label);
    this.warnings.check('maxSessions', this.sessions.size, this.config.maxSessions);
    this.relieveIfPressed(session.clients);
    return session;
  }

  private sessionRefusal(connection: Connection): KurentoError | undefined {
    const { maxSessions, maxSessionsPerClient } = this.config;
    for (const client of connection.clients) {
      if (!fits(client.sessions, 1, maxSessionsPerClient)) return clientBudgetReached('maxSessionsPerClient', client.id.label, client.sessions, maxSessionsPerClient);
    }
    return fits(this.sessions.size, 1, maxSessions) ? undefined : serverBudgetReached('maxSessions', this.sessions.size, maxSessions);
  }

  /** A session's connection went away: under pressure it may go sooner than its grace period. */
  sessionAbandoned(): void {
    void this.relieve();
  }

  // ---- objects ----

  /**
   * Admits a create of `type` by `session` against every budget (throws 40009). Past a budget
   * other than the session's own, the relief runs first; the deciding checks and the ticket
   * happen together, in one step, so concurrent creates cannot overshoot a budget.
   */
  async admitCreate(type: CreatableClass, session: Session): Promise<CreateTicket> {
    if (!this.sessionFull(session) && this.createRefusal(type, session)) await this.relieve();
    const { maxObjectsPerSession } = this.config;
    if (this.sessionFull(session)) throw new KurentoError('NOT_ENOUGH_RESOURCES', `A session may hold at most ${maxObjectsPerSession} objects (${flagOf('maxObjectsPerSession')})`);
    const refusal = this.createRefusal(type, session);
    if (refusal) throw refusal;
    return this.ticket(createKind(type), session);
  }

  private sessionFull(session: Session): boolean {
    return !fits(session.objects.size + session.creating, 1, this.config.maxObjectsPerSession);
  }

  /** What refuses a create besides the per-session cap: a per-client or server-wide budget. */
  private createRefusal(type: CreatableClass, session: Session): KurentoError | undefined {
    const { maxObjectsPerClient, maxObjects } = this.config;
    for (const client of session.clients) {
      const held = client.objects + client.creating;
      if (!fits(held, 1, maxObjectsPerClient)) return clientBudgetReached('maxObjectsPerClient', client.id.label, held, maxObjectsPerClient);
    }
    const usage = this.hosts();
    const objects = usage.objects + this.creating.pipelines + this.creating.endpoints + this.creating.other;
    if (!fits(objects, 1, maxObjects)) return serverBudgetReached('maxObjects', objects, maxObjects);
    const kind = createKind(type);
    if (kind === 'other') return undefined;
    const budget = kind === 'pipelines' ? 'maxPipelines' : 'maxEndpoints';
    const used = usage[kind] + this.creating[kind];
    return fits(used, 1, this.config[budget]) ? undefined : serverBudgetReached(budget, used, this.config[budget]);
  }

  /** An object is gone: it no longer counts against its creator. */
  forget(id: string): void {
    const clients = this.creators.get(id);
    if (!clients) return;
    this.creators.delete(id);
    for (const client of clients) {
      client.objects--;
      client.settle();
    }
  }

  // ---- what operators read ----

  /** Every budget with its use now; a per-client budget's use is the busiest client's. */
  use(): BudgetUse[] {
    const usage = this.hosts();
    let sessionsPerClient = 0;
    let objectsPerClient = 0;
    for (const client of this.clients.values()) {
      sessionsPerClient = Math.max(sessionsPerClient, client.sessions, client.sockets);
      objectsPerClient = Math.max(objectsPerClient, client.objects);
    }
    const c = this.config;
    return [
      { budget: 'maxSessions', used: Math.max(this.sessions.size, this.sockets()), limit: c.maxSessions },
      { budget: 'maxPipelines', used: usage.pipelines, limit: c.maxPipelines },
      { budget: 'maxEndpoints', used: usage.endpoints, limit: c.maxEndpoints },
      { budget: 'maxObjects', used: usage.objects, limit: c.maxObjects },
      { budget: 'maxUdpSockets', used: usage.udpSockets, limit: c.maxUdpSockets },
      { budget: 'maxSessionsPerClient', used: sessionsPerClient, limit: c.maxSessionsPerClient },
      { budget: 'maxObjectsPerClient', used: objectsPerClient, limit: c.maxObjectsPerClient },
    ];
  }

  /** Stops the relief timer (server shutdown). */
  close(): void {
    clearTimeout(this.reliefTimer);
    this.reliefTimer = undefined;
    this.reliefAt = Infinity;
  }

  // ---- internals ----

  private ticket(kind: CreateKind, session: Session): CreateTicket {
    this.creating[kind]++;
    session.creating++;
    for (const client of session.clients) client.creating++;
    let ended = false;
    return {
      created: (id) => {
        this.creators.set(id, session.clients);
        for (const client of session.clients) client.objects++;
        this.warnAfterCreate(session.clients);
        this.relieveIfPressed(session.clients);
      },
      end: () => {
        if (ended) return;
        ended = true;
        this.creating[kind]--;
        session.creating--;
        for (const client of session.clients) {
          client.creating--;
          client.settle();
        }
      },
    };
  }

  private warnAfterCreate(clients: readonly Client[]): void {
    for (const client of clients) this.warnings.check('maxObjectsPerClient', client.objects, this.config.maxObjectsPerClient, client.id.label);
    const usage = this.hosts();
    this.warnings.check('maxObjects', usage.objects, this.config.maxObjects);
    this.warnings.check('maxPipelines', usage.pipelines, this.config.maxPipelines);
    this.warnings.check('maxEndpoints', usage.endpoints, this.config.maxEndpoints);
  }

  /** Whether a server-wide budget is 80 % used. */
  private serverUnderPressure(): boolean {
    const usage = this.hosts();
    const c = this.config;
    return underPressure(this.sessions.size, c.maxSessions) || underPressure(usage.pipelines, c.maxPipelines) || underPressure(usage.endpoints, c.maxEndpoints)
      || underPressure(usage.objects, c.maxObjects) || underPressure(usage.udpSockets, c.maxUdpSockets);
  }

  /** Whether one of a client's budgets is 80 % used. */
  private clientUnderPressure(client: Client): boolean {
    return underPressure(client.sessions, this.config.maxSessionsPerClient) || underPressure(client.objects, this.config.maxObjectsPerClient);
  }

  /** Starts the relief in the background when a budget of the server or of these clients is 80 % used. */
  private relieveIfPressed(clients: readonly Client[]): void {
    if (this.serverUnderPressure() || clients.some((c) => this.clientUnderPressure(c))) void this.relieve();
  }

  /** Releases abandoned sessions past the shortened grace while there is pressure; one run at a time. */
  private relieve(): Promise<void> {
    this.relieving ??= this.releaseUnderPressure()
      .catch((e: unknown) => log.error('releasing sessions under pressure failed', e))
      .finally(() => (this.relieving = undefined));
    return this.relieving;
  }

  private async releaseUnderPressure(): Promise<void> {
    const graceMs = this.config.sessionGraceUnderPressureMs;
    for (;;) {
      const serverPressed = this.serverUnderPressure();
      // The oldest abandoned session whose release would ease a pressure (the server's or its owner's).
      let oldest: Session | undefined;
      for (const session of this.sessions.inGrace()) {
        if (serverPressed || session.clients.some((c) => this.clientUnderPressure(c))) {
          oldest = session;
          break;
        }
      }
      if (!oldest) return;
      const away = performance.now() - oldest.detachedAt;
      if (away < graceMs) return this.relieveAt(oldest.detachedAt + graceMs);
      const whose = oldest.clients.map((c) => c.id.label).join(', ');
      log.warn(`a budget is under pressure: releasing session ${oldest.id} of ${whose}, disconnected ${Math.round(away)} ms ago (${flagOf('sessionGraceUnderPressureMs')} ${graceMs})`);
      await this.sessions.close(oldest);
    }
  }

  /** Looks again at `at` (performance.now()), when the oldest candidate's shortened grace runs out. */
  private relieveAt(at: number): void {
    if (this.reliefTimer && this.reliefAt <= at) return;
    clearTimeout(this.reliefTimer);
    this.reliefAt = at;
    this.reliefTimer = setTimeout(() => {
      this.reliefTimer = undefined;
      this.reliefAt = Infinity;
      void this.relieve();
    }, Math.max(Math.ceil(at - performance.now()), 0));
    this.reliefTimer.unref();
  }
}

/** Which server-wide count besides objects a create of `type` adds to. */
function createKind(type: CreatableClass): CreateKind {
  if (type === 'MediaPipeline') return 'pipelines';
  return isA(type, 'Endpoint') ? 'endpoints' : 'other';
}
