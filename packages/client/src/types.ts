/**
 * Types derived from the shared `as const` schema: nothing about a remote class is written by
 * hand here. A class name, method name, parameter type or event name that the schema does not
 * have is a compile error, and a schema change reaches the client's types by itself.
 *
 * Direction matters: arguments take proxies (or, inside a transaction, transaction references)
 * where the schema names a remote class and plain objects for complex types; results give
 * proxies and plain objects without `__module__`/`__type__`.
 */
import type {
  ConstructorParamsOf, CreatableClass, Descendants, EnumValue, FieldSpecs, IsReadOnly, Lineage, MethodSpecs, OptionalKeys, ParamLike,
  ParamsOf, Primitives, PropertySpecs, RequiredKeys, ReturnTypeName, Simplify, TypeOf, baseEventFields, complexTypes, enums, events, remoteClasses,
} from '@kurento-ts/protocol';
import type { RemoteObjectBase } from './objects/RemoteObjectBase.js';
import type { PipelineFactory } from './objects/pipelineFactory.js';
import type { TxRef } from './Transaction.js';

type Schema = typeof remoteClasses;

/** A remote class of the schema. */
export type ClassName = keyof Schema;
/** An enum type of the schema. */
export type EnumName = keyof typeof enums;
/** A complex type of the schema. */
export type ComplexTypeName = keyof typeof complexTypes;
/** An event of the schema. */
export type EventName = keyof typeof events;

export type { CreatableClass, Descendants, EnumValue, EventNameOf, Lineage, Simplify } from '@kurento-ts/protocol';

// ---- values ----

/** How arguments name remote objects: proxies, or also transaction references. */
export type RefMode = 'direct' | 'tx';
type RefInput<C extends ClassName, M extends RefMode> = M extends 'tx' ? RemoteObject<C> | TxRef<C> : RemoteObject<C>;

/** What an argument of schema type `T` accepts. */
export type InputValue<T extends string, M extends RefMode = 'direct'> = T extends `${infer E}[]`
  ? readonly InputValue<E, M>[]
  : T extends keyof Primitives
    ? Primitives[T]
    : T extends EnumName
      ? EnumValue<T>
      : T extends ComplexTypeName
        ? ComplexInput<T, M>
        : T extends ClassName
          ? RefInput<T, M>
          : never;

/** What a value of schema type `T` is when it comes back from the server. */
export type OutputValue<T extends string> = T extends `${infer E}[]`
  ? OutputValue<E>[]
  : T extends 'Stats<>'
    ? StatsMap
    : T extends keyof Primitives
      ? Primitives[T]
      : T extends EnumName
        ? EnumValue<T>
        : T extends ComplexTypeName
          ? ComplexValue<T>
          : T extends ClassName
            ? RemoteObject<T>
            : unknown;

/** A returned value: a single reference may be null in Kurento (a pipeline has no parent). */
export type ResultValue<T extends string> = T extends ClassName ? RemoteObject<T> | undefined : OutputValue<T>;

type OutputFields<F extends FieldSpecs> = Simplify<
  { [K in RequiredKeys<F>]: OutputValue<TypeOf<F[K]>> } & { [K in OptionalKeys<F>]?: OutputValue<TypeOf<F[K]>> }
>;
type InputFields<F extends FieldSpecs, M extends RefMode> = Simplify<
  { readonly [K in RequiredKeys<F>]: InputValue<TypeOf<F[K]>, M> } & { readonly [K in OptionalKeys<F>]?: InputValue<TypeOf<F[K]>, M> }
>;

/** A complex value as the client returns it (plain fields, no `__module__`/`__type__`). */
export type ComplexValue<N extends ComplexTypeName> = OutputFields<(typeof complexTypes)[N]>;
/** A complex value as an argument (the client adds `__module__`/`__type__`). */
export type ComplexInput<N extends ComplexTypeName, M extends RefMode = 'direct'> = InputFields<(typeof complexTypes)[N], M>;

/** One entry of `getStats()`; fields beyond these depend on `type`. */
export interface Stats {
  readonly id: string;
  readonly type: EnumValue<'StatsType'>;
  readonly timestampMillis: number;
  readonly [field: string]: unknown;
}
/** `getStats()`: entries by id. */
export type StatsMap = { [id: string]: Stats };

// ---- parameters and operations ----

/** Positional arguments for a parameter list, optional ones optional. */
export type ArgsOf<P, M extends RefMode> = P extends readonly [infer H extends ParamLike, ...infer R]
  ? H extends { readonly optional: true }
    ? [InputValue<H['type'], M>?, ...ArgsOf<R, M>]
    : [InputValue<H['type'], M>, ...ArgsOf<R, M>]
  : [];

/** Named arguments for a parameter list (constructors). */
export type NamedArgsOf<P extends readonly ParamLike[], M extends RefMode> = Simplify<
  { readonly [S in P[number] as S extends { readonly optional: true } ? never : S['name']]: InputValue<S['type'], M> } & {
    readonly [S in P[number] as S extends { readonly optional: true } ? S['name'] : never]?: InputValue<S['type'], M>;
  }
>;

type ReturnOf<S> = [ReturnTypeName<S>] extends [never] ? void : ResultValue<ReturnTypeName<S>>;

/** Every remote operation of a class: methods, property getters and setters, with args and result. */
export type OperationTable<C extends ClassName, M extends RefMode> = {
  [K in keyof MethodSpecs<C> & string]: { args: ArgsOf<ParamsOf<MethodSpecs<C>[K]>, M>; result: ReturnOf<MethodSpecs<C>[K]> };
} & {
  [K in keyof PropertySpecs<C> & string as `get${Capitalize<K>}`]: { args: []; result: ResultValue<TypeOf<PropertySpecs<C>[K]>> };
} & {
  [K in keyof PropertySpecs<C> & string as IsReadOnly<PropertySpecs<C>[K]> extends true ? never : `set${Capitalize<K>}`]: {
    args: [value: InputValue<TypeOf<PropertySpecs<C>[K]>, M>];
    result: void;
  };
};

/** The name of a remote operation of class `C` (e.g. `processOffer`, `getName`, `setName`). */
export type OperationName<C extends ClassName> = keyof OperationTable<C, 'direct'> & string;
/** The arguments of an operation. */
export type OperationArgs<C extends ClassName, K extends OperationName<C>, M extends RefMode = 'direct'> = K extends keyof OperationTable<C, M>
  ? OperationTable<C, M>[K]['args']
  : never;
/** What an operation resolves to. */
export type OperationResult<C extends ClassName, K extends OperationName<C>> = OperationTable<C, 'direct'>[K]['result'];

/** The typed methods of a proxy of class `C`. */
export type Operations<C extends ClassName> = {
  [K in OperationName<C>]: (...args: OperationArgs<C, K>) => Promise<OperationResult<C, K>>;
};

/** Writable properties of `C`, for `create(..., properties)`. */
export type PropertyValues<C extends ClassName, M extends RefMode = 'direct'> = Simplify<{
  -readonly [K in keyof PropertySpecs<C> & string as IsReadOnly<PropertySpecs<C>[K]> extends true ? never : K]?: InputValue<TypeOf<PropertySpecs<C>[K]>, M>;
}>;

/** The constructor parameters of `C`, by name. */
export type ConstructorParams<C extends ClassName, M extends RefMode = 'direct'> = NamedArgsOf<ConstructorParamsOf<C>, M>;
/** Arguments of `create`: the params object is optional when nothing in it is required. */
export type CreateArgs<P, C extends ClassName, M extends RefMode = 'direct'> = {} extends P
  ? [params?: P, properties?: PropertyValues<C, M>]
  : [params: P, properties?: PropertyValues<C, M>];

/** Classes created inside a pipeline (they take a `mediaPipeline` constructor parameter). */
export type PipelineElementClass = {
  [C in CreatableClass]: 'mediaPipeline' extends ConstructorParamsOf<C>[number]['name'] ? C : never;
}[CreatableClass];

// ---- events ----

type EventFields<E extends EventName> = (typeof events)[E];
type BaseFields = OutputFields<typeof baseEventFields>;
/**
 * An event's payload: the fields every event has (`source`, `tags`, `timestampMillis`, `type`
 * narrowed to the event's name) and its own. `Error` has a `type` of its own (the error's).
 */
export type EventPayload<E extends EventName> = Simplify<
  Omit<BaseFields, 'type' | keyof EventFields<E>> &
    ('type' extends keyof EventFields<E> ? {} : { type: E }) &
    OutputFields<EventFields<E>>
>;
/** A listener of event `E`. */
export type EventListener<E extends EventName> = (event: EventPayload<E>) => void;

// ---- proxies ----

/** Members only some classes have. */
type ClassExtras<C extends ClassName> = C extends 'MediaPipeline' ? PipelineFactory : {};

/** A typed proxy of a remote object of class `C`. */
export type RemoteObject<C extends ClassName> = RemoteObjectBase<C> & Operations<C> & ClassExtras<C>;

/** The class a proxy or transaction reference is typed with (inverse of `Descendants`). */
export type ClassOf<T extends { readonly className: ClassName }> = {
  [C in ClassName]: [Descendants<C>] extends [T['className']] ? ([T['className']] extends [Descendants<C>] ? C : never) : never;
}[ClassName];
