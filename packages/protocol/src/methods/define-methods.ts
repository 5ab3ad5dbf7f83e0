import type { Static, TSchema } from 'typebox';

/** The params and result schemas of one JSON-RPC method. */
export interface MethodSpec<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly params: P;
  readonly result: R;
}

export type MethodGroup = Readonly<Record<string, MethodSpec>>;

const METHOD_NAME = /^[a-z]+(\/[a-z_]+)+$/;

/**
 * Declares one domain's methods. Each domain keeps its group in its own file
 * (`workspaceMethods`, `threadMethods`, `turnMethods`, ...) and `METHODS` is built from the
 * groups by `mergeMethodGroups`. An identity function apart from the name check, so the
 * literal keys and schema types survive for `ParamsOf`/`ResultOf`.
 */
export function defineMethods<const G extends MethodGroup>(group: G): G {
  for (const name of Object.keys(group)) {
    if (!METHOD_NAME.test(name)) throw new Error(`bad method name: ${name}`);
  }
  return group;
}

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** The table `mergeMethodGroups` builds from its groups: every group's names, each once. */
export type MergedMethods<Groups extends readonly MethodGroup[]> = UnionToIntersection<Groups[number]>;

/**
 * Builds a method table from domain groups, as tRPC's router merges its parts: a name that two
 * groups declare throws here, at module load, instead of the later group silently winning
 * (which a spread would do). The table is frozen, so nothing can register behind its back.
 */
export function mergeMethodGroups<const Groups extends readonly MethodGroup[]>(...groups: Groups): Readonly<MergedMethods<Groups>> {
  const table: Record<string, MethodSpec> = {};
  for (const group of groups) {
    for (const [name, spec] of Object.entries(group)) {
      if (Object.hasOwn(table, name)) throw new Error(`duplicate method name: ${name} is declared by two groups`);
      table[name] = spec;
    }
  }
  return Object.freeze(table) as Readonly<MergedMethods<Groups>>;
}

export type ParamsOfSpec<S> = S extends MethodSpec<infer P, TSchema> ? Static<P> : never;
export type ResultOfSpec<S> = S extends MethodSpec<TSchema, infer R> ? Static<R> : never;
