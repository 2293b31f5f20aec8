/**
 * Conversion between JSON on the wire and values inside the server, driven by the schema's type
 * names: incoming arguments are checked and remote ids resolved to objects; outgoing values
 * turn objects into ids and tag complex values with `__module__`/`__type__` as Kurento does.
 */
import {
  KurentoError, complexTypes, enums, isA, isClassName, type FieldSpec, type Json, type ParamSpec,
} from '@kurento-ts/protocol';
import { MediaObject } from '../objects/MediaObject.js';

/** Looks a remote object up by id. */
export type Resolver = (id: string) => MediaObject | undefined;

const INTEGER = new Set(['int', 'int64']);
const FLOAT = new Set(['float', 'double']);

const illegal = (path: string, what: string): never => {
  throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `'${path}' ${what}`);
};

/** Checks one incoming value against a schema type; returns it with remote ids resolved. */
export function decodeValue(value: unknown, type: string, path: string, resolve: Resolver): unknown {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) return illegal(path, `must be a list of ${type.slice(0, -2)}`);
    return value.map((v, i) => decodeValue(v, type.slice(0, -2), `${path}[${i}]`, resolve));
  }
  if (type === 'String') return typeof value === 'string' ? value : illegal(path, 'must be a String');
  if (type === 'boolean') return typeof value === 'boolean' ? value : illegal(path, 'must be a boolean');
  if (INTEGER.has(type)) return Number.isSafeInteger(value) ? value : illegal(path, `must be an ${type}`);
  if (FLOAT.has(type)) return typeof value === 'number' && Number.isFinite(value) ? value : illegal(path, `must be a ${type}`);
  if (Object.hasOwn(enums, type)) {
    const values: readonly string[] = enums[type as keyof typeof enums];
    return typeof value === 'string' && values.includes(value) ? value : illegal(path, `must be one of ${values.join(', ')}`);
  }
  if (Object.hasOwn(complexTypes, type)) return decodeComplex(value, complexTypes[type as keyof typeof complexTypes], path, resolve);
  if (isClassName(type)) {
    if (typeof value !== 'string') return illegal(path, `must be the id of a ${type}`);
    const object = resolve(value);
    if (!object) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', `Object '${value}' not found`);
    if (!isA(object.className, type)) return illegal(path, `must be a ${type}, '${value}' is a ${object.className}`);
    return object;
  }
  return value;
}

function decodeComplex(value: unknown, fields: Readonly<Record<string, FieldSpec>>, path: string, resolve: Resolver): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return illegal(path, 'must be an object');
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const v = input[name];
    if (v === undefined || v === null) {
      if (!field.optional) illegal(`${path}.${name}`, 'is required');
      continue;
    }
    out[name] = decodeValue(v, field.type, `${path}.${name}`, resolve);
  }
  return out;
}

/** Checks a call's arguments against its parameter list. */
export function decodeParams(specs: readonly ParamSpec[], raw: unknown, resolve: Resolver): Record<string, unknown> {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'operationParams must be an object');
  }
  const input = (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const v = input[spec.name];
    if (v === undefined || v === null) {
      if (!spec.optional) illegal(spec.name, 'parameter is required');
      if (spec.default !== undefined) out[spec.name] = spec.default;
      continue;
    }
    out[spec.name] = decodeValue(v, spec.type, spec.name, resolve);
  }
  return out;
}

/** Turns a value of a schema type into its wire form. */
export function encodeValue(value: unknown, type: string | undefined): Json | undefined {
  if (value === undefined || type === undefined) return undefined;
  if (value === null) return null;
  if (type.endsWith('[]')) return Array.isArray(value) ? value.map((v) => encodeValue(v, type.slice(0, -2)) ?? null) : [];
  if (value instanceof MediaObject) return value.id;
  if (Object.hasOwn(complexTypes, type) && typeof value === 'object') {
    const fields: Readonly<Record<string, FieldSpec>> = complexTypes[type as keyof typeof complexTypes];
    return { __module__: 'kurento', __type__: type, ...encodeFields(fields, value as Record<string, unknown>) };
  }
  return value as Json;
}

/** Encodes the fields of a complex value or an event by their specs (absent fields stay absent). */
export function encodeFields(fields: Readonly<Record<string, FieldSpec>>, input: Readonly<Record<string, unknown>>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, field] of Object.entries(fields)) {
    const encoded = encodeValue(input[name], field.type);
    if (encoded !== undefined) out[name] = encoded;
  }
  return out;
}
