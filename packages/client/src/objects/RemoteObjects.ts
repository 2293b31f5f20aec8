/**
 * The client's side of the session's objects: the proxy of every id it knows, the protocol
 * requests behind proxies (create, invoke, release, subscribe, unsubscribe, describe), and the
 * routing of `onEvent` notifications to proxies.
 */
import { remoteClasses, findProperty, isA, isClassName, type ClassSpec, type Json, type JsonObject } from '@kurento-ts/protocol';
import { ClientErrorType, CLIENT_ERROR_CODE, KurentoClientError } from '../errors.js';
import type { JsonRpcClient } from '../rpc/JsonRpcClient.js';
import { isJsonObject } from '../rpc/messages.js';
import type { ClassName, EventName } from '../types.js';
import { decodeEvent, decodeValue, encodeArgs, encodeParams, encodeValue, type RefEncoder } from './codec.js';
import { findOperation } from './operations.js';
import { instantiate } from './proxyClasses.js';
import { DISPATCH, INVALIDATE, RemoteObjectBase, type ObjectHost } from './RemoteObjectBase.js';

const OBJECT_NOT_FOUND = 40101;

/** Outside a transaction, a remote object argument must be a proxy (or, from plain JS, an id). */
export const directRef: RefEncoder = (value, type, path) => {
  if (value instanceof RemoteObjectBase) return value.id;
  if (typeof value === 'string') return value;
  throw new TypeError(`${path} must be a ${type} proxy`);
};

/** The `params` of a `create` request. */
export function createParams(type: ClassName, params: Readonly<Record<string, unknown>>, properties: Readonly<Record<string, unknown>> | undefined, ref: RefEncoder): JsonObject {
  // Plain JS callers may name a class the schema lacks: the server answers that one (40100).
  const spec: ClassSpec | undefined = isClassName(type) ? remoteClasses[type] : undefined;
  const props: JsonObject = {};
  for (const [name, value] of Object.entries(properties ?? {})) {
    if (value === undefined) continue;
    const property = spec && findProperty(type, name);
    props[name] = property ? encodeValue(value, property.type, ref, name) : (value as Json);
  }
  return { type, constructorParams: encodeParams(spec?.constructorParams ?? [], params, ref), properties: props };
}

/** The class to build for a `describe` answer: the most derived name this client knows. */
export function classFromDescription(result: Readonly<Record<string, Json | undefined>>): ClassName {
  const hierarchy = Array.isArray(result['hierarchy']) ? result['hierarchy'] : [];
  for (const candidate of [result['qualifiedType'], result['type'], ...hierarchy]) {
    if (typeof candidate !== 'string') continue;
    const name = candidate.slice(candidate.lastIndexOf('.') + 1);
    if (isClassName(name)) return name;
  }
  return 'MediaObject';
}

export class RemoteObjects implements ObjectHost {
  private readonly objects = new Map<string, RemoteObjectBase>();
  private readonly describing = new Map<string, Promise<RemoteObjectBase>>();
  /** Events are decoded (which may need `describe`) one after another, so they keep their order. */
  private events: Promise<void> = Promise.resolve();

  constructor(private readonly rpc: JsonRpcClient) {}

  /** The proxy of an id whose class is known (a `create` result); one proxy per id. */
  adopt(id: string, className: ClassName): RemoteObjectBase {
    const known = this.objects.get(id);
    if (known && !known.released) return known;
    const proxy = instantiate(this, id, className);
    this.objects.set(id, proxy);
    return proxy;
  }

  /** The proxy of any id: known ones at once, others after asking the server what they are. */
  resolve(id: string): Promise<RemoteObjectBase> {
    const known = this.objects.get(id);
    if (known && !known.released) return Promise.resolve(known);
    let pending = this.describing.get(id);
    if (!pending) {
      pending = this.rpc
        .request('describe', { object: id })
        .then((result) => this.adopt(id, classFromDescription(result)))
        .finally(() => this.describing.delete(id));
      this.describing.set(id, pending);
    }
    return pending;
  }

  /** Like `resolve`, checking the object is a `expected`. */
  async resolveAs(id: string, expected: ClassName): Promise<RemoteObjectBase> {
    const proxy = await this.resolve(id);
    if (!isA(proxy.className, expected)) throw new TypeError(`${proxy.toString()} is not a ${expected}`);
    return proxy;
  }

  /** Marks every proxy dead and forgets them (the session is gone, or the client closed). */
  invalidateAll(reason: Error): void {
    for (const proxy of this.objects.values()) proxy[INVALIDATE](reason);
    this.objects.clear();
  }

  // ---- ObjectHost ----

  async invoke(target: RemoteObjectBase, operation: string, args: readonly unknown[]): Promise<unknown> {
    const spec = findOperation(target.className, operation);
    if (!spec) throw new TypeError(`${target.className} has no operation '${operation}'`);
    const operationParams = encodeArgs(spec.params, args, directRef);
    const params: JsonObject = { object: target.id, operation, ...(Object.keys(operationParams).length > 0 ? { operationParams } : {}) };
    const result = await this.rpc.request('invoke', params);
    return spec.returns === undefined ? undefined : decodeValue(result.value, spec.returns, (id) => this.resolve(id));
  }

  async create(type: ClassName, params: Readonly<Record<string, unknown>>, properties: Readonly<Record<string, unknown>> | undefined): Promise<RemoteObjectBase> {
    const result = await this.rpc.request('create', createParams(type, params, properties, directRef));
    return this.adopt(expectId(result.value, 'create'), type);
  }

  async release(target: RemoteObjectBase): Promise<void> {
    try {
      await this.rpc.request('release', { object: target.id });
    } catch (e) {
      // Already gone (e.g. released with its pipeline): that is what release wants.
      if (!(e instanceof KurentoClientError && e.code === OBJECT_NOT_FOUND)) throw e;
    }
    this.forget(target.id);
  }

  async subscribe(target: RemoteObjectBase, type: string): Promise<string> {
    const result = await this.rpc.request('subscribe', { object: target.id, type });
    return expectId(result.value, 'subscribe');
  }

  async unsubscribe(target: RemoteObjectBase, subscription: string): Promise<void> {
    await this.rpc.request('unsubscribe', { object: target.id, subscription });
  }

  // ---- events ----

  /** Routes an `onEvent` notification to its proxy. */
  deliver(params: JsonObject): void {
    const value = params['value'];
    if (!isJsonObject(value)) return;
    const { object, type, data } = value;
    if (typeof object !== 'string' || typeof type !== 'string' || !isJsonObject(data)) return;
    const target = this.objects.get(object);
    if (!target) return; // not ours (any more)
    this.events = this.events
      .then(async () => {
        const payload = await decodeEvent(type, data, (id) => this.resolveLeniently(id));
        target[DISPATCH](type as EventName, payload);
      })
      .catch(() => undefined); // a payload that cannot be decoded must not stop later events
  }

  /** For events: an object that vanished before it could be described still gets a proxy. */
  private resolveLeniently(id: string): Promise<RemoteObjectBase> {
    return this.resolve(id).catch(() => instantiate(this, id, classFromId(id)));
  }

  /** Forgets a released object and, for a pipeline, its elements (their ids start with its id). */
  forget(id: string): void {
    for (const [key, proxy] of this.objects) {
      if (key !== id && !key.startsWith(`${id}/`)) continue;
      proxy[INVALIDATE](new KurentoClientError(CLIENT_ERROR_CODE, ClientErrorType.OBJECT_RELEASED, `${proxy.toString()} was released`));
      this.objects.delete(key);
    }
  }
}

function expectId(value: Json | undefined, method: string): string {
  if (typeof value === 'string') return value;
  throw new KurentoClientError(CLIENT_ERROR_CODE, ClientErrorType.PROTOCOL_ERROR, `'${method}' answered without an id`, method);
}

/** Kurento ids end in `_kurento.<Class>`: good enough when the server can no longer tell. */
function classFromId(id: string): ClassName {
  const name = /\.([A-Za-z]+)$/.exec(id)?.[1];
  return name !== undefined && isClassName(name) ? name : 'MediaObject';
}
