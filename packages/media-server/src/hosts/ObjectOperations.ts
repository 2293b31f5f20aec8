/**
 * The object-level half of the Kurento Protocol, run where the objects live (the main thread, or
 * a media worker): create, invoke, release, describe and the event check, on one ObjectRegistry.
 * Requests come as the JSON-RPC params; answers are plain JSON values (ids, encoded values), so
 * both can cross a thread boundary. Sessions, refs and subscriptions stay with the caller.
 */
import {
  KurentoError, SERVER_MANAGER_ID, findMethod, findProperty, isClassName, isCreatable, lineage, remoteClasses, supportsEvent,
  type ClassSpec, type CreatableClass, type Json, type JsonObject,
} from '@kurento-ts/protocol';
import type { MediaObject } from '../objects/MediaObject.js';
import type { ObjectRegistry } from '../registry/ObjectRegistry.js';
import { factoryOf } from '../registry/factories.js';
import { decodeParams, decodeValue, encodeValue } from '../registry/wire.js';
import { observeRegistry, ThreadWatch, type HostObservation } from './hostObservation.js';

/** A request's params: JSON, as parsed from the wire. */
export type Params = Readonly<Record<string, unknown>>;
/** What a method returns: the `value`, and extra result members (only `describe` has them). */
export interface MethodResult {
  value?: Json;
  extra?: JsonObject;
}

/** The operations a host answers; `ObjectOperations` implements them. */
export interface HostOperations {
  /** Creates an object from `create`'s params; returns its id. */
  create(params: Params): string | Promise<string>;
  invoke(params: Params): Promise<MethodResult>;
  release(params: Params): MethodResult;
  describe(params: Params): MethodResult;
  /** Checks `subscribe`'s params: the object exists and raises the event type. */
  checkEvent(params: Params): { object: string; type: string };
  /** Whether an object lives here. */
  has(id: string): boolean;
  /** Releases every pipeline (server shutdown). */
  releaseAll(): void;
  /** What an operator sees here now (metrics, dashboard); `resetLoopDelay` starts the delay histogram again. */
  observe(resetLoopDelay: boolean): HostObservation;
}
export type OperationName = keyof HostOperations;
export type OperationArgs<K extends OperationName> = Parameters<HostOperations[K]>;
export type OperationResult<K extends OperationName> = Awaited<ReturnType<HostOperations[K]>>;

/** Runs one operation; a throw becomes a rejection, and the work up to the first await is synchronous. */
export async function perform<K extends OperationName>(operations: HostOperations, method: K, args: OperationArgs<K>): Promise<OperationResult<K>> {
  const run = operations[method] as (...a: OperationArgs<K>) => OperationResult<K> | Promise<OperationResult<K>>;
  return run.apply(operations, args);
}

export const invalidParams = (message: string): KurentoError => new KurentoError('INVALID_PARAMS', message);
export const notFound = (id: string): KurentoError => new KurentoError('MEDIA_OBJECT_NOT_FOUND', `Object '${id}' not found`);

/** A required, non-empty string member of a request's params. */
export function text(params: Params, key: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '') throw invalidParams(`'${key}' parameter is required and must be a string`);
  return v;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The class a `create` names, checked: it exists and can be created. */
export function creatableClass(params: Params): CreatableClass {
  const type = text(params, 'type');
  if (!isClassName(type)) throw new KurentoError('MEDIA_OBJECT_TYPE_NOT_FOUND', `Class '${type}' does not exist`);
  if (!isCreatable(type)) throw new KurentoError('MEDIA_OBJECT_TYPE_NOT_FOUND', `Class '${type}' cannot be created`);
  return type;
}

/** A remote operation of an object: its method named as the operation (objects/contract.ts). */
function operationOf(object: MediaObject, name: string): (...args: unknown[]) => unknown {
  const fn: unknown = (object as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new KurentoError('NOT_IMPLEMENTED', `${object.className}.${name} is not implemented by this server`);
  return (...args) => (fn as (...a: unknown[]) => unknown).apply(object, args);
}

const capitalized = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

export class ObjectOperations implements HostOperations {
  private readonly resolve = (id: string): MediaObject | undefined => this.registry.resolve(id);
  /** This thread's event loop, watched from the host's start. */
  private readonly watch = new ThreadWatch();

  constructor(readonly registry: ObjectRegistry) {}

  private object(id: string): MediaObject {
    const object = this.registry.resolve(id);
    if (!object) throw notFound(id);
    return object;
  }

  create(params: Params): string | Promise<string> {
    const type = creatableClass(params);
    const spec: ClassSpec = remoteClasses[type];
    const constructorParams = decodeParams(spec.constructorParams ?? [], params['constructorParams'], this.resolve);
    const properties = params['properties'] ?? {};
    if (!isObject(properties)) throw invalidParams("'properties' must be an object");
    // Most classes are made at once; a few check with their backend first (a GStreamerFilter).
    const made = factoryOf(type)(this.registry, constructorParams);
    return made instanceof Promise ? made.then((object) => this.finishCreate(object, properties)) : this.finishCreate(made, properties);
  }

  /** Sets the creation properties of a new object and registers it; a refused property releases it. */
  private finishCreate(object: MediaObject, properties: Readonly<Record<string, unknown>>): string {
    try {
      for (const [name, value] of Object.entries(properties)) {
        const done = this.setProperty(object, name, value);
        // create answers at once; a setter that finishes later reports its failure on the object.
        if (done instanceof Promise) done.catch((e: unknown) => object.raise('Error', { description: `Setting ${name}: ${e instanceof Error ? e.message : String(e)}`, errorCode: 40003, type: 'UNEXPECTED_ERROR' }));
      }
    } catch (e) {
      object.release();
      throw e;
    }
    this.registry.register(object);
    return object.id;
  }


  async invoke(params: Params): Promise<MethodResult> {
    const object = this.object(text(params, 'object'));
    const operation = text(params, 'operation');
    const method = findMethod(object.className, operation);
    if (method) {
      const args = decodeParams(method.params, params['operationParams'], this.resolve);
      return { value: encodeValue(await operationOf(object, operation)(args), method.returns) };
    }
    const accessor = /^(get|set)(.+)$/.exec(operation);
    const name = accessor?.[2] && this.propertyName(object, accessor[2]);
    if (accessor && name) {
      if (accessor[1] === 'get') return { value: encodeValue(operationOf(object, `get${capitalized(name)}`)(), findProperty(object.className, name)?.type) };
      const operationParams = params['operationParams'];
      // A setter may finish asynchronously (a player's seek): the answer waits for it.
      await this.setProperty(object, name, isObject(operationParams) ? operationParams[name] : undefined);
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

  private setProperty(object: MediaObject, name: string, value: unknown): unknown {
    const spec = findProperty(object.className, name);
    if (!spec || spec.readOnly) throw new KurentoError('MEDIA_OBJECT_METHOD_NOT_FOUND', `Property '${name}' of ${object.className} cannot be set`);
    if (value === undefined || value === null) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `'${name}' parameter is required`);
    return operationOf(object, `set${capitalized(name)}`)(decodeValue(value, spec.type, name, this.resolve));
  }

  checkEvent(params: Params): { object: string; type: string } {
    const object = this.object(text(params, 'object'));
    const type = text(params, 'type');
    if (!supportsEvent(object.className, type)) throw new KurentoError('MEDIA_OBJECT_EVENT_NOT_SUPPORTED', `${object.className} has no event '${type}'`);
    return { object: object.id, type };
  }

  release(params: Params): MethodResult {
    const object = this.object(text(params, 'object'));
    if (object.id === SERVER_MANAGER_ID) throw new KurentoError('MEDIA_OBJECT_OPERATION_NOT_SUPPORTED', 'The ServerManager cannot be released');
    object.release();
    return {};
  }

  describe(params: Params): MethodResult {
    const object = this.object(text(params, 'object'));
    const [own, ...ancestors] = lineage(object.className);
    return { extra: { type: own ?? object.className, qualifiedType: `kurento.${object.className}`, hierarchy: ancestors.map((c) => `kurento.${c}`) } };
  }

  has(id: string): boolean {
    return this.registry.resolve(id) !== undefined;
  }

  releaseAll(): void {
    this.registry.releaseAll();
    this.watch.close();
  }

  observe(resetLoopDelay: boolean): HostObservation {
    return observeRegistry(this.registry, this.watch, resetLoopDelay);
  }
}
