/**
 * The Kurento Protocol's methods: turns one JSON-RPC text into one response text. Sessions,
 * refs, subscriptions and transactions are handled here, with the session manager; the
 * object-level work (validated against the shared schema) runs on the object's host, in this
 * thread or a media worker, reached through the HostRouter. Sessions and creations are
 * admitted against the server's budgets first (Budgets.ts).
 */
import {
  KurentoError, errorName, rpcMethods, type Json, type RpcFailure, type RpcMethod, type RpcSuccess,
} from '@kurento-ts/protocol';
import type { HostRouter } from '../hosts/HostRouter.js';
import { creatableClass, isObject, notFound, text, type MethodResult, type Params } from '../hosts/ObjectOperations.js';
import { createLogger } from '../support/logger.js';
import type { Budgets } from './Budgets.js';
import type { Connection, Session, SessionManager } from './SessionManager.js';

const log = createLogger('kms:rpc');

type MethodHandler = (params: Params, session: Session, connection: Connection) => Promise<MethodResult> | MethodResult;

const TRANSACTION_METHODS = new Set(['create', 'invoke', 'subscribe', 'unsubscribe', 'release', 'describe', 'ref', 'unref']);
const MAX_TRANSACTION_OPERATIONS = 100;
const NEWREF = /^newref:(\d+)$/;

export class ProtocolHandler {
  private readonly methods: Record<Exclude<RpcMethod, 'ping' | 'connect'>, MethodHandler> = {
    create: (p, s) => this.create(p, s),
    invoke: (p) => this.hosts.hostOf(p['object']).call('invoke', p),
    subscribe: (p, s) => this.subscribe(p, s),
    unsubscribe: (p, s) => {
      this.sessions.unsubscribe(s, text(p, 'subscription'));
      return {};
    },
    release: (p) => this.hosts.hostOf(p['object']).call('release', p),
    describe: (p) => this.hosts.hostOf(p['object']).call('describe', p),
    keepAlive: () => ({}),
    ref: async (p, s) => {
      this.sessions.ref(s, await this.existing(p));
      return {};
    },
    unref: async (p, s) => {
      this.sessions.unref(s, await this.existing(p));
      return {};
    },
    transaction: (p, s, c) => this.transaction(p, s, c),
    closeSession: (_p, s) => {
      this.sessions.close(s);
      return {};
    },
  };

  constructor(
    private readonly hosts: HostRouter,
    private readonly sessions: SessionManager,
    private readonly budgets: Budgets,
  ) {}

  /** Handles one message; returns the response text, or undefined for a notification. */
  async handle(connection: Connection, message: string): Promise<string | undefined> {
    let request: unknown;
    try {
      request = JSON.parse(message);
    } catch {
      return failure(null, { code: -32700, message: 'Parse error: the message is not valid JSON' });
    }
    if (!isObject(request)) return failure(null, { code: -32600, message: 'Invalid request: expected a JSON object' });
    const id = typeof request['id'] === 'number' || typeof request['id'] === 'string' ? request['id'] : null;
    if (request['jsonrpc'] !== '2.0' || typeof request['method'] !== 'string') {
      return failure(id, { code: -32600, message: "Invalid request: 'jsonrpc' must be \"2.0\" and 'method' a string" });
    }
    if (id === null) return undefined; // a notification: Kurento defines none from clients
    const params = request['params'] ?? {};
    if (!isObject(params)) return failure(id, { code: -32602, message: "Invalid params: 'params' must be an object" });
    try {
      const { result, sessionId } = await this.dispatch(request['method'], params, connection);
      const response: RpcSuccess = { jsonrpc: '2.0', id, result: { ...result.extra, ...(result.value === undefined ? {} : { value: result.value }), ...(sessionId ? { sessionId } : {}) } };
      return JSON.stringify(response);
    } catch (e) {
      return failure(id, toRpcError(e, request['method']));
    }
  }

  private async dispatch(method: string, params: Params, connection: Connection): Promise<{ result: MethodResult; sessionId?: string }> {
    if (!(rpcMethods as readonly string[]).includes(method)) throw new KurentoError('METHOD_NOT_FOUND', `Method not found: ${method}`);
    if (method === 'ping') return { result: { value: 'pong' }, sessionId: connection.session?.id };
    if (method === 'connect') return { result: {}, sessionId: (await this.connect(params, connection)).id };
    const session = await this.sessionFor(params, connection);
    const handler = this.methods[method as keyof ProtocolHandler['methods']];
    return { result: await handler(params, session, connection), sessionId: session.id };
  }

  /** The connection's session; a known `sessionId` on a fresh connection resumes that session. */
  private async sessionFor(params: Params, connection: Connection): Promise<Session> {
    if (connection.session) return connection.session;
    const known = typeof params['sessionId'] === 'string' ? this.sessions.get(params['sessionId']) : undefined;
    if (known) {
      this.sessions.attach(known, connection);
      return known;
    }
    return this.openSession(connection);
  }

  private async connect(params: Params, connection: Connection): Promise<Session> {
    const id = params['sessionId'];
    if (id === undefined) return connection.session ?? this.openSession(connection);
    const session = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!session) throw new KurentoError('INVALID_SESSION', `Invalid session: ${String(id)}`);
    this.sessions.attach(session, connection);
    return session;
  }

  /** A new session for the connection, within the budgets. */
  private openSession(connection: Connection): Promise<Session> {
    return this.budgets.openSession(connection, () => this.sessions.open(connection));
  }

  /** The id in `params.object`, checked to name a live object. */
  private async existing(params: Params): Promise<string> {
    const id = text(params, 'object');
    if (!(await this.hosts.hostOf(id).call('has', id))) throw notFound(id);
    return id;
  }

  /** Creates on the object's host (see HostRouter), within the budgets; the session holds what it created. */
  private async create(params: Params, session: Session): Promise<MethodResult> {
    const type = creatableClass(params);
    const ticket = await this.budgets.admitCreate(type, session);
    try {
      const id = await this.hosts.hostForCreate(type, params).call('create', params);
      // A session closed while a worker created the object: nobody holds it.
      if (this.sessions.get(session.id) === session) {
        this.sessions.ref(session, id);
        ticket.created(id);
      } else void this.hosts.release(id);
      return { value: id };
    } finally {
      ticket.end();
    }
  }

  private async subscribe(params: Params, session: Session): Promise<MethodResult> {
    const { object, type } = await this.hosts.hostOf(params['object']).call('checkEvent', params);
    return { value: this.sessions.subscribe(session, object, type) };
  }

  /** Runs operations in order; later ones may name objects created earlier as `newref:N`. */
  private async transaction(params: Params, session: Session, connection: Connection): Promise<MethodResult> {
    const operations = params['operations'];
    if (!Array.isArray(operations) || operations.length > MAX_TRANSACTION_OPERATIONS) {
      throw new KurentoError('MALFORMED_TRANSACTION', `'operations' must be a list of at most ${MAX_TRANSACTION_OPERATIONS} operations`);
    }
    const created: (string | undefined)[] = [];
    const results: Json[] = [];
    for (const operation of operations) {
      try {
        if (!isObject(operation) || typeof operation['method'] !== 'string' || !TRANSACTION_METHODS.has(operation['method'])) {
          throw new KurentoError('MALFORMED_TRANSACTION', 'Each operation needs a method among create, invoke, subscribe, unsubscribe, release, describe, ref, unref');
        }
        const opParams = substituteRefs(isObject(operation['params']) ? operation['params'] : {}, created);
        const handler = this.methods[operation['method'] as keyof ProtocolHandler['methods']];
        const result = await handler(opParams, session, connection);
        created.push(operation['method'] === 'create' && typeof result.value === 'string' ? result.value : undefined);
        results.push({ result: { ...result.extra, ...(result.value === undefined ? {} : { value: result.value }) } });
      } catch (e) {
        results.push({ error: toRpcError(e, 'transaction') as unknown as Json });
        break; // later operations may depend on this one: they are not run
      }
    }
    return { value: results };
  }
}

/** Replaces `newref:N` strings (one level deep, as Kurento's clients send them) with created ids. */
function substituteRefs(params: Params, created: readonly (string | undefined)[]): Params {
  const swap = (v: unknown): unknown => {
    const m = typeof v === 'string' ? NEWREF.exec(v) : null;
    if (!m) return v;
    const id = created[Number(m[1])];
    if (id === undefined) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT', `${String(v)} does not name an object created earlier in this transaction`);
    return id;
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    out[key] = isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)])) : swap(value);
  }
  return out;
}

function toRpcError(e: unknown, method: string): { code: number; message: string; data?: { type: string } } {
  if (e instanceof KurentoError) return e.toJSON();
  log.error(`unexpected error in ${method}`, e);
  return { code: 40003, message: `Unexpected error: ${(e as Error).message ?? String(e)}`, data: { type: errorName(40003) ?? 'UNEXPECTED_ERROR' } };
}

function failure(id: number | string | null, error: RpcFailure['error']): string {
  const response: RpcFailure = { jsonrpc: '2.0', id, error };
  return JSON.stringify(response);
}
