/**
 * The Kurento Protocol's methods: turns one JSON-RPC text into one response text. Validation
 * and dispatch derive from the shared schema; objects are reached through the registry and
 * sessions through the session manager.
 */
import {
  KurentoError, SERVER_MANAGER_ID, errorName, findMethod, findProperty, isClassName, lineage, remoteClasses, rpcMethods,
  supportsEvent, type ClassSpec, type Json, type JsonObject, type RpcFailure, type RpcMethod, type RpcSuccess,
} from '@kurento-ts/protocol';
import type { MediaObject } from '../objects/MediaObject.js';
import type { ObjectRegistry } from '../registry/ObjectRegistry.js';
import { factoryOf } from '../registry/factories.js';
import { createLogger } from '../support/logger.js';
import type { Connection, Session, SessionManager } from './SessionManager.js';
import { decodeParams, decodeValue, encodeValue } from './wire.js';

const log = createLogger('kms:rpc');

type Params = Record<string, unknown>;
/** What a method returns: the `value`, and extra result members (only `describe` has them). */
interface MethodResult {
  value?: Json;
  extra?: JsonObject;
}
type MethodHandler = (params: Params, session: Session, connection: Connection) => Promise<MethodResult> | MethodResult;

const TRANSACTION_METHODS = new Set(['create', 'invoke', 'subscribe', 'unsubscribe', 'release', 'describe', 'ref', 'unref']);
const MAX_TRANSACTION_OPERATIONS = 100;
const NEWREF = /^newref:(\d+)$/;

const invalidParams = (message: string): KurentoError => new KurentoError('INVALID_PARAMS', message);

function text(params: Params, key: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '') throw invalidParams(`'${key}' parameter is required and must be a string`);
  return v;
}

const isObject = (v: unknown): v is Params => typeof v === 'object' && v !== null && !Array.isArray(v);

export class ProtocolHandler {
  private readonly methods: Record<Exclude<RpcMethod, 'ping' | 'connect'>, MethodHandler> = {
    create: (p, s) => this.create(p, s),
    invoke: (p) => this.invoke(p),
    subscribe: (p, s) => this.subscribe(p, s),
    unsubscribe: (p, s) => {
      this.sessions.unsubscribe(s, text(p, 'subscription'));
      return {};
    },
    release: (p) => this.release(p),
    describe: (p) => this.describe(p),
    keepAlive: () => ({}),
    ref: (p, s) => {
      this.sessions.ref(s, this.object(text(p, 'object')).id);
      return {};
    },
    unref: (p, s) => {
      this.sessions.unref(s, this.object(text(p, 'object')).id);
      return {};
    },
    transaction: (p, s, c) => this.transaction(p, s, c),
    closeSession: (_p, s) => {
      this.sessions.close(s);
      return {};
    },
  };

  constructor(
    private readonly registry: ObjectRegistry,
    private readonly sessions: SessionManager,
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
    if (method === 'connect') return { result: {}, sessionId: this.connect(params, connection).id };
    const session = this.sessionFor(params, connection);
    const handler = this.methods[method as keyof ProtocolHandler['methods']];
    return { result: await handler(params, session, connection), sessionId: session.id };
  }

  /** The connection's session; a known `sessionId` on a fresh connection resumes that session. */
  private sessionFor(params: Params, connection: Connection): Session {
    if (connection.session) return connection.session;
    const known = typeof params['sessionId'] === 'string' ? this.sessions.get(params['sessionId']) : undefined;
    if (known) {
      this.sessions.attach(known, connection);
      return known;
    }
    return this.sessions.open(connection);
  }

  private connect(params: Params, connection: Connection): Session {
    const id = params['sessionId'];
    if (id === undefined) return connection.session ?? this.sessions.open(connection);
    const session = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!session) throw new KurentoError('INVALID_SESSION', `Invalid session: ${String(id)}`);
    this.sessions.attach(session, connection);
    return session;
  }

  private object(id: string): MediaObject {
    const object = this.registry.resolve(id);
    if (!object) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', `Object '${id}' not found`);
    return object;
  }

  private create(params: Params, session: Session): MethodResult {
    const type = text(params, 'type');
    if (!isClassName(type)) throw new KurentoError('MEDIA_OBJECT_TYPE_NOT_FOUND', `Class '${type}' does not exist`);
    const factory = factoryOf(type);
    if (!factory) throw new KurentoError('MEDIA_OBJECT_TYPE_NOT_FOUND', `Class '${type}' cannot be created`);
    if (session.objects.size >= this.registry.config.maxObjectsPerSession) {
      throw new KurentoError('NOT_ENOUGH_RESOURCES', `A session may hold at most ${this.registry.config.maxObjectsPerSession} objects`);
    }
    const spec: ClassSpec = remoteClasses[type];
    const resolve = (id: string) => this.registry.resolve(id);
    const constructorParams = decodeParams(spec.constructorParams ?? [], params['constructorParams'], resolve);
    const properties = params['properties'] ?? {};
    if (!isObject(properties)) throw invalidParams("'properties' must be an object");
    const object = factory(this.registry, constructorParams);
    try {
      for (const [name, value] of Object.entries(properties)) this.setProperty(object, name, value);
    } catch (e) {
      object.release();
      throw e;
    }
    this.registry.register(object);
    this.sessions.ref(session, object.id);
    return { value: object.id };
  }

  private async invoke(params: Params): Promise<MethodResult> {
    const object = this.object(text(params, 'object'));
    const operation = text(params, 'operation');
    const resolve = (id: string) => this.registry.resolve(id);
    const method = findMethod(object.className, operation);
    if (method) {
      const handler = object.operation(operation);
      if (!handler) throw new KurentoError('NOT_IMPLEMENTED', `${object.className}.${operation} is not implemented by this server`);
      const args = decodeParams(method.params, params['operationParams'], resolve);
      return { value: encodeValue(await handler(args), method.returns) };
    }
    const accessor = /^(get|set)(.+)$/.exec(operation);
    const name = accessor?.[2] && this.propertyName(object, accessor[2]);
    if (accessor && name) {
      if (accessor[1] === 'get') {
        const access = object.property(name);
        if (!access) throw new KurentoError('NOT_IMPLEMENTED', `${object.className}.${name} is not implemented by this server`);
        return { value: encodeValue(access.get(), findProperty(object.className, name)?.type) };
      }
      const operationParams = params['operationParams'];
      this.setProperty(object, name, isObject(operationParams) ? operationParams[name] : undefined);
      return {};
    }
    throw new KurentoError('MEDIA_OBJECT_METHOD_NOT_FOUND', `Method '${operation}' not found in ${object.className}`);
  }

  /** The property an accessor suffix names (`Name` → `name`, `ICECandidatePairs` as is). */
  private propertyName(object: MediaObject, suffix: string): string | undefined {
    const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
    if (findProperty(object.className, lower)) return lower;
    return findProperty(object.className, suffix) ? suffix : undefined;
  }

  private setProperty(object: MediaObject, name: string, value: unknown): void {
    const spec = findProperty(object.className, name);
    if (!spec || spec.readOnly) throw new KurentoError('MEDIA_OBJECT_METHOD_NOT_FOUND', `Property '${name}' of ${object.className} cannot be set`);
    const access = object.property(name);
    if (!access?.set) throw new KurentoError('NOT_IMPLEMENTED', `${object.className}.${name} is not implemented by this server`);
    if (value === undefined || value === null) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `'${name}' parameter is required`);
    access.set(decodeValue(value, spec.type, name, (id) => this.registry.resolve(id)));
  }

  private subscribe(params: Params, session: Session): MethodResult {
    const object = this.object(text(params, 'object'));
    const type = text(params, 'type');
    if (!supportsEvent(object.className, type)) throw new KurentoError('MEDIA_OBJECT_EVENT_NOT_SUPPORTED', `${object.className} has no event '${type}'`);
    return { value: this.sessions.subscribe(session, object.id, type) };
  }

  private release(params: Params): MethodResult {
    const object = this.object(text(params, 'object'));
    if (object.id === SERVER_MANAGER_ID) throw new KurentoError('MEDIA_OBJECT_OPERATION_NOT_SUPPORTED', 'The ServerManager cannot be released');
    object.release();
    return {};
  }

  private describe(params: Params): MethodResult {
    const object = this.object(text(params, 'object'));
    const [own, ...ancestors] = lineage(object.className);
    return { extra: { type: own ?? object.className, qualifiedType: `kurento.${object.className}`, hierarchy: ancestors.map((c) => `kurento.${c}`) } };
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
  const out: Params = {};
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
