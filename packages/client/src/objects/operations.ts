/**
 * Which remote operations a class has, read from the schema at run time: its methods, and a
 * `getX`/`setX` pair per property (`setX` only when writable), named as Kurento names them.
 */
import { findMethod, findProperty, remoteClasses, type ClassSpec, type ParamSpec } from '@kurento-ts/protocol';
import type { ClassName } from '../types.js';

/** An operation as the codec needs it. */
export interface OperationSpec {
  readonly params: readonly ParamSpec[];
  /** The schema type of the result; absent when it returns nothing. */
  readonly returns?: string;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const uncapitalize = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** The operations a class declares itself (inherited ones live on the parent's prototype). */
export function ownOperations(className: ClassName): Map<string, OperationSpec> {
  const spec: ClassSpec = remoteClasses[className];
  const out = new Map<string, OperationSpec>();
  for (const [name, method] of Object.entries(spec.methods ?? {})) out.set(name, method);
  for (const [name, property] of Object.entries(spec.properties ?? {})) {
    out.set(`get${capitalize(name)}`, { params: [], returns: property.type });
    if (!property.readOnly) out.set(`set${capitalize(name)}`, { params: [{ name, type: property.type }] });
  }
  return out;
}

/** Looks an operation up in a class and its ancestors. */
export function findOperation(className: ClassName, operation: string): OperationSpec | undefined {
  const method = findMethod(className, operation);
  if (method) return method;
  const accessor = /^(get|set)(.+)$/.exec(operation);
  if (!accessor?.[2]) return undefined;
  // `getName` names `name`; `getICECandidatePairs` names `ICECandidatePairs`.
  const name = [uncapitalize(accessor[2]), accessor[2]].find((n) => findProperty(className, n) !== undefined);
  const property = name === undefined ? undefined : findProperty(className, name);
  if (name === undefined || !property) return undefined;
  if (accessor[1] === 'get') return { params: [], returns: property.type };
  return property.readOnly ? undefined : { params: [{ name, type: property.type }] };
}
