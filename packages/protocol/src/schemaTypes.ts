/**
 * The schema read at the type level, whatever side reads it: the class tree, each class's own
 * and inherited methods, properties and events, parameter lists and fields. The client turns
 * these into proxy types, the server into the interfaces its classes implement; how values are
 * represented (proxies or server objects) is each side's own business.
 */
import type { ClassName, EnumName, EventName, enums, remoteClasses } from './schema.js';

type Schema = typeof remoteClasses;

/** Flattens an intersection for readable hovers. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** `A | B` → `A & B`. */
export type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

// ---- the class tree ----

type ParentOf<C extends ClassName> = Schema[C] extends { readonly extends: infer P extends ClassName } ? P : never;
/** A class and all its ancestors. */
export type Lineage<C extends ClassName> = C extends ClassName ? C | Lineage<ParentOf<C>> : never;
/** A class and every class deriving from it: what the runtime class of a `C` can be. */
export type Descendants<C extends ClassName> = { [K in ClassName]: C extends Lineage<K> ? K : never }[ClassName];
/** Classes that can be created (not abstract). */
export type CreatableClass = { [C in ClassName]: Schema[C] extends { readonly abstract: true } ? never : C }[ClassName];

// ---- members ----

/** The methods a class declares itself. */
export type OwnMethods<C extends ClassName> = C extends ClassName ? (Schema[C] extends { readonly methods: infer X } ? X : {}) : never;
/** The properties a class declares itself. */
export type OwnProperties<C extends ClassName> = C extends ClassName ? (Schema[C] extends { readonly properties: infer X } ? X : {}) : never;
/** The methods of a class and its ancestors. */
export type MethodSpecs<C extends ClassName> = UnionToIntersection<OwnMethods<Lineage<C>>>;
/** The properties of a class and its ancestors. */
export type PropertySpecs<C extends ClassName> = UnionToIntersection<OwnProperties<Lineage<C>>>;
/** A method's parameter list. */
export type ParamsOf<S> = S extends { readonly params: infer P } ? P : [];
/** A method's return type name, or never when it returns nothing. */
export type ReturnTypeName<S> = S extends { readonly returns: infer R extends string } ? R : never;
/** Whether a property spec is read-only. */
export type IsReadOnly<S> = S extends { readonly readOnly: true } ? true : false;
/** The constructor parameter list of a class. */
export type ConstructorParamsOf<C extends ClassName> = Schema[C] extends { readonly constructorParams: infer P extends readonly ParamLike[] } ? P : [];

// ---- events ----

type OwnEvents<C extends ClassName> = C extends ClassName ? (Schema[C] extends { readonly events: readonly (infer E)[] } ? E : never) : never;
/** The events objects of class `C` can raise. */
export type EventNameOf<C extends ClassName> = Extract<OwnEvents<Lineage<C>>, EventName>;

// ---- fields and parameters ----

/** A parameter as the schema writes it. */
export type ParamLike = { readonly name: string; readonly type: string; readonly optional?: boolean; readonly default?: unknown };
/** Fields of a complex type or event as the schema writes them. */
export type FieldSpecs = { readonly [name: string]: { readonly type: string; readonly optional?: boolean } };
/** Keys of the required fields. */
export type RequiredKeys<F> = { [K in keyof F]: F[K] extends { readonly optional: true } ? never : K }[keyof F];
/** Keys of the optional fields. */
export type OptionalKeys<F> = Exclude<keyof F, RequiredKeys<F>>;
/** The type name of a field or parameter spec. */
export type TypeOf<S> = S extends { readonly type: infer T extends string } ? T : never;

/** The TypeScript type of each primitive type name of the schema. */
export interface Primitives {
  String: string;
  int: number;
  int64: number;
  float: number;
  double: number;
  boolean: boolean;
}

/** The values of an enum type. */
export type EnumValue<N extends EnumName> = (typeof enums)[N][number];
