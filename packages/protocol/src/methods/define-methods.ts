import type { Static, TSchema } from 'typebox';

/** The params and result schemas of one JSON-RPC method. */
export interface MethodSpec<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly params: P;
  readonly result: R;
}

export type MethodGroup = Readonly<Record<string, MethodSpec>>;

/**
 * Declares one domain's methods. Each domain keeps its group in its own file
 * (`workspaceMethods`, `threadMethods`, later `turnMethods`, `taskMethods`...) and the
 * registry spreads the groups into `METHODS`. An identity function, so the literal keys and
 * schema types survive for `ParamsOf`/`ResultOf`.
 */
export function defineMethods<const G extends MethodGroup>(group: G): G {
  for (const name of Object.keys(group)) {
    if (!/^[a-z]+(\/[a-z_]+)+$/.test(name)) throw new Error(`bad method name: ${name}`);
  }
  return group;
}

export type ParamsOfSpec<S> = S extends MethodSpec<infer P, TSchema> ? Static<P> : never;
export type ResultOfSpec<S> = S extends MethodSpec<TSchema, infer R> ? Static<R> : never;
