import { threadFolderMethods } from '../thread/folder-methods.js';
import { threadMethods } from '../thread/thread-methods.js';
import { turnMethods } from '../turn/turn-methods.js';
import { workspaceMethods } from '../workspace/workspace-methods.js';
import type { MethodGroup, ParamsOfSpec, ResultOfSpec } from './define-methods.js';

/**
 * Every domain's method group, in one list so the registry test can prove no two groups
 * declare the same name (a plain spread would let the later one win silently).
 * A new domain adds its group here and one spread below.
 */
export const METHOD_GROUPS: readonly MethodGroup[] = [workspaceMethods, threadMethods, threadFolderMethods, turnMethods];

/** Method name to `{ params, result }` schemas: what the gateway validates against. */
export const METHODS = {
  ...workspaceMethods,
  ...threadMethods,
  ...threadFolderMethods,
  ...turnMethods,
} as const;

export type Methods = typeof METHODS;
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = ParamsOfSpec<Methods[M]>;
export type ResultOf<M extends MethodName> = ResultOfSpec<Methods[M]>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(METHODS, name);
}
