/**
 * Values between the application and the wire, driven by the schema's type names. Outgoing:
 * proxies become ids (or `newref:N` in a transaction), complex values keep only their schema
 * fields and get `__module__`/`__type__`. Incoming: ids become proxies (resolved, if unknown,
 * with `describe`), complex values lose their tags and keep their schema fields.
 */
import { baseEventFields, complexTypes, events, isClassName, type FieldSpec, type Json, type JsonObject, type ParamSpec } from '@kurento-ts/protocol';
import type { ClassName } from '../types.js';
import { isJsonObject } from '../rpc/messages.js';

/** Turns an argument naming a remote object into the string the server expects. */
export type RefEncoder = (value: unknown, type: ClassName, path: string) => string;
/** Turns an id into a proxy. */
export type RefDecoder = (id: string) => Promise<unknown>;

/** Kurento tags every complex value with its module; the official clients send `kurento`. */
const MODULE = 'kurento';
const isComplex = (type: string): type is keyof typeof complexTypes => Object.hasOwn(complexTypes, type);

/** Encodes one argument of schema type `type`. */
export function encodeValue(value: unknown, type: string, ref: RefEncoder, path: string): Json {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) throw new TypeError(`${path} must be a list`);
    return value.map((v: unknown, i) => encodeValue(v, type.slice(0, -2), ref, `${path}[${i}]`));
  }
  if (isClassName(type)) return ref(value, type, path);
  if (isComplex(type)) {
    if (!isRecord(value)) throw new TypeError(`${path} must be a ${type} object`);
    const fields: Readonly<Record<string, FieldSpec>> = complexTypes[type];
    const out: JsonObject = { __module__: MODULE, __type__: type };
    for (const [name, field] of Object.entries(fields)) {
      const v = value[name];
      if (v !== undefined && v !== null) out[name] = encodeValue(v, field.type, ref, `${path}.${name}`);
    }
    return out;
  }
  // Primitives and enums travel as they are; the server checks them against the schema.
  return value as Json;
}

/** Encodes named arguments: absent optional ones are left out. */
export function encodeParams(specs: readonly ParamSpec[], values: Readonly<Record<string, unknown>>, ref: RefEncoder): JsonObject {
  const out: JsonObject = {};
  for (const spec of specs) {
    const v = values[spec.name];
    if (v !== undefined) out[spec.name] = encodeValue(v, spec.type, ref, spec.name);
  }
  return out;
}

/** Encodes positional arguments into named operation params. */
export function encodeArgs(specs: readonly ParamSpec[], args: readonly unknown[], ref: RefEncoder): JsonObject {
  return encodeParams(specs, Object.fromEntries(specs.map((s, i) => [s.name, args[i]])), ref);
}

/** Decodes a value of schema type `type`; null and absent values become undefined. */
export async function decodeValue(value: Json | undefined, type: string, resolve: RefDecoder): Promise<unknown> {
  if (value === undefined || value === null) return undefined;
  if (type.endsWith('[]')) return Array.isArray(value) ? Promise.all(value.map((v) => decodeValue(v, type.slice(0, -2), resolve))) : [];
  if (isClassName(type)) return typeof value === 'string' ? resolve(value) : undefined;
  if (isComplex(type)) return isJsonObject(value) ? decodeFields(value, complexTypes[type], resolve) : value;
  if (type === 'Stats<>' && isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([id, stats]) => [id, isJsonObject(stats) ? untagged(stats) : stats]));
  }
  return value;
}

/** Decodes an event's data: the fields every event has, then its own. */
export function decodeEvent(type: string, data: JsonObject, resolve: RefDecoder): Promise<Record<string, unknown>> {
  const own: Readonly<Record<string, FieldSpec>> = Object.hasOwn(events, type) ? events[type as keyof typeof events] : {};
  return decodeFields(data, { ...baseEventFields, ...own }, resolve);
}

async function decodeFields(value: JsonObject, fields: Readonly<Record<string, FieldSpec>>, resolve: RefDecoder): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(fields).map(async ([name, field]) => [name, await decodeValue(value[name], field.type, resolve)] as const),
  );
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

function untagged(value: JsonObject): JsonObject {
  const { __module__: _module, __type__: _type, ...rest } = value;
  return rest;
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);
