/**
 * The server's side of the schema, derived from it at compile time as the client's types are:
 * what each remote class's implementation must offer, in server values (remote objects are our
 * MediaObject instances, complex values plain objects). A class that lacks one of its schema
 * methods or properties, a misspelt event name or a wrong event payload does not compile.
 *
 * Each TypeScript class implements `Remote<'ItsClass'>`: one method per schema method, named as
 * the operation and taking the named, validated parameters; `getX()` for every property and
 * `setX(value)` for every writable one. The factory table (registry/factories.ts) then checks that
 * what it builds implements the whole lineage (`Implementation<C>`).
 */
import type {
  ClassName, ComplexTypeName, ConstructorParamsOf, EnumName, EnumValue, EventName, IsReadOnly, OptionalKeys, OwnMethods,
  OwnProperties, ParamLike, ParamsOf, Primitives, RequiredKeys, ReturnTypeName, Simplify, TypeOf, UnionToIntersection, complexTypes, events,
  Lineage, CreatableClass,
} from '@kurento-ts/protocol';
import type { MediaElement } from './MediaElement.js';
import type { MediaObject } from './MediaObject.js';
import type { MediaPipeline } from './MediaPipeline.js';

/** The server classes that parameters and results name; any other class is a MediaObject here. */
interface ObjectClasses {
  MediaObject: MediaObject;
  MediaPipeline: MediaPipeline;
  MediaElement: MediaElement;
}

/** A remote object of schema class `T`, as the server holds it. */
export type ObjectOf<T extends ClassName> = T extends keyof ObjectClasses ? ObjectClasses[T] : MediaObject;

/** One `getStats()` entry: what every entry has, and its type's own fields. */
export interface StatsEntry {
  readonly __module__: 'kurento';
  readonly __type__: string;
  readonly id: string;
  readonly type: EnumValue<'StatsType'>;
  readonly timestampMillis: number;
  readonly [field: string]: unknown;
}

/** A value of schema type `T` inside the server. */
export type ServerValue<T extends string> = T extends `${infer E}[]`
  ? readonly ServerValue<E>[]
  : T extends 'Stats<>'
    ? Readonly<Record<string, StatsEntry>>
    : T extends keyof Primitives
      ? Primitives[T]
      : T extends EnumName
        ? EnumValue<T>
        : T extends ComplexTypeName
          ? ComplexServerValue<T>
          : T extends ClassName
            ? ObjectOf<T>
            : unknown;

type Fields<F> = Simplify<
  { readonly [K in RequiredKeys<F> & string]: ServerValue<TypeOf<F[K]>> } & { readonly [K in OptionalKeys<F> & string]?: ServerValue<TypeOf<F[K]>> }
>;

/** A complex value inside the server (encoded with `__module__`/`__type__` on the wire). */
export type ComplexServerValue<N extends ComplexTypeName> = Fields<(typeof complexTypes)[N]>;

/** What an event carries of its own (the fields every event has are added by `raise`); objects may be given by id. */
export type EventFields<E extends EventName> = ResultFields<(typeof events)[E]>;

type ResultFields<F> = Simplify<
  { readonly [K in RequiredKeys<F> & string]: ServerResult<TypeOf<F[K]>> } & { readonly [K in OptionalKeys<F> & string]?: ServerResult<TypeOf<F[K]>> }
>;

/** A parameter list as the named, validated arguments of a call (defaults already applied). */
export type NamedParams<P> = P extends readonly ParamLike[]
  ? Simplify<
      { readonly [S in P[number] as S extends { readonly optional: true; readonly default?: undefined } ? never : S['name']]: ServerValue<S['type']> } & {
        readonly [S in P[number] as S extends { readonly optional: true; readonly default?: undefined } ? S['name'] : never]?: ServerValue<S['type']>;
      }
    >
  : {};

/**
 * The id of a remote object that lives on another thread (a media worker's pipeline, listed by
 * the main thread's ServerManager): results may name such objects by id.
 */
export type ObjectId = string & { readonly __objectId: true };
/** Marks a string as the id of a remote object. */
export const objectId = (id: string): ObjectId => id as ObjectId;

/** A result of schema type `T`: like a value, but remote objects may also be given by id. */
export type ServerResult<T extends string> = T extends `${infer E}[]`
  ? readonly ServerResult<E>[]
  : T extends ClassName
    ? ObjectOf<T> | ObjectId
    : ServerValue<T>;

type Awaitable<T> = T | Promise<T>;
type ResultOf<S> = [ReturnTypeName<S>] extends [never] ? void : ReturnTypeName<S> extends ClassName ? ServerResult<ReturnTypeName<S>> | undefined : ServerResult<ReturnTypeName<S>>;

type MethodImplementations<M> = {
  [K in keyof M & string]: (params: NamedParams<ParamsOf<M[K]>>) => Awaitable<ResultOf<M[K]>>;
};
type PropertyImplementations<P> = {
  [K in keyof P & string as `get${Capitalize<K>}`]: () => TypeOf<P[K]> extends ClassName ? ServerResult<TypeOf<P[K]>> | undefined : ServerResult<TypeOf<P[K]>>;
} & {
  [K in keyof P & string as IsReadOnly<P[K]> extends true ? never : `set${Capitalize<K>}`]: (value: ServerValue<TypeOf<P[K]>>) => void;
};

/** The named, validated arguments of method `M` of class `C`. */
export type Args<C extends ClassName, M extends keyof OwnMethods<C> & string> = NamedParams<ParamsOf<OwnMethods<C>[M]>>;

/** What the TypeScript class of schema class `C` implements itself: `C`'s own methods and properties. */
export type Remote<C extends ClassName> = MethodImplementations<OwnMethods<C>> & PropertyImplementations<OwnProperties<C>>;

/** What an object of creatable class `C` must implement: every class of its lineage. */
export type Implementation<C extends ClassName> = UnionToIntersection<Remote<Lineage<C>>>;

/** The named, validated constructor parameters of class `C`. */
export type ConstructorArgs<C extends CreatableClass> = NamedParams<ConstructorParamsOf<C>>;
