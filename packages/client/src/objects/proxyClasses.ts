/**
 * One proxy class per remote class of the schema, built at load time: each class extends its
 * schema parent and gets its own operations as prototype methods, so `instanceof` follows the
 * schema's hierarchy. Their types come from `RemoteObject<C>` (types.ts), derived from the same
 * schema.
 */
import { remoteClasses, type ClassSpec } from '@kurento-ts/protocol';
import type { ClassName, RemoteObject } from '../types.js';
import { ownOperations } from './operations.js';
import { pipelineCreate } from './pipelineFactory.js';
import { HOST, RemoteObjectBase, type ObjectHost } from './RemoteObjectBase.js';

type ProxyConstructor = new (host: ObjectHost, id: string, className: ClassName) => RemoteObjectBase;

/** A proxy class as the application sees it: usable with `instanceof`, not constructed directly (proxies come from the client). */
export type ProxyClass<C extends ClassName> = (abstract new (...args: never) => RemoteObject<C>) & {
  readonly prototype: RemoteObject<C>;
  readonly className: C;
};

/** Extra prototype members of some classes, beyond the schema's operations. */
const extras: Partial<Record<ClassName, Record<string, (this: RemoteObjectBase, ...args: never[]) => unknown>>> = {
  MediaPipeline: { create: pipelineCreate },
};

const built = new Map<ClassName, ProxyConstructor>();

function build(className: ClassName): ProxyConstructor {
  const existing = built.get(className);
  if (existing) return existing;
  const spec: ClassSpec = remoteClasses[className];
  const parent: ProxyConstructor = spec.extends !== undefined && spec.extends in remoteClasses ? build(spec.extends as ClassName) : (RemoteObjectBase as unknown as ProxyConstructor);
  const cls = class extends parent {};
  Object.defineProperty(cls, 'name', { value: className });
  Object.defineProperty(cls, 'className', { value: className });
  for (const operation of ownOperations(className).keys()) {
    define(cls, operation, function (this: RemoteObjectBase, ...args: unknown[]) {
      return this[HOST].invoke(this, operation, args);
    });
  }
  for (const [name, fn] of Object.entries(extras[className] ?? {})) define(cls, name, fn);
  built.set(className, cls);
  return cls;
}

function define(cls: ProxyConstructor, name: string, fn: (this: RemoteObjectBase, ...args: never[]) => unknown): void {
  Object.defineProperty(cls.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

for (const className of Object.keys(remoteClasses) as ClassName[]) build(className);

/** Makes the proxy of an object of class `className`. */
export function instantiate(host: ObjectHost, id: string, className: ClassName): RemoteObjectBase {
  return new (build(className))(host, id, className);
}

/** The proxy classes, by class name. */
export const proxyClasses = Object.fromEntries([...built].map(([name, cls]) => [name, cls])) as unknown as {
  readonly [C in ClassName]: ProxyClass<C>;
};
