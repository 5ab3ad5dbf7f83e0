import { artifactMethods } from '../artifact/artifact-methods.js';
import { authMethods } from '../auth/auth-methods.js';
import { secretMethods } from '../secrets/secret-methods.js';
import { syncMethods } from '../sync/sync-methods.js';
import { taskMethods } from '../task/task-methods.js';
import { threadFolderMethods } from '../thread/folder-methods.js';
import { threadMethods } from '../thread/thread-methods.js';
import { turnRecordMethods } from '../turn-records/turn-record-methods.js';
import { turnMethods } from '../turn/turn-methods.js';
import { transferMethods } from '../transfer/transfer-methods.js';
import { workspaceMethods } from '../workspace/workspace-methods.js';
import { mergeMethodGroups, type ParamsOfSpec, type ResultOfSpec } from './define-methods.js';

/**
 * Method name to `{ params, result }` schemas: what the gateway validates against, and what
 * the OpenRPC export will list. Built here, once, from every domain's group; a new domain
 * adds its group to this call, and a name two groups declare fails at load.
 */
export const METHODS = mergeMethodGroups(
  workspaceMethods,
  threadMethods,
  threadFolderMethods,
  turnMethods,
  turnRecordMethods,
  secretMethods,
  authMethods,
  syncMethods,
  artifactMethods,
  taskMethods,
  transferMethods,
);

export type Methods = typeof METHODS;
export type MethodName = keyof Methods & string;
export type ParamsOf<M extends MethodName> = ParamsOfSpec<Methods[M]>;
export type ResultOf<M extends MethodName> = ResultOfSpec<Methods[M]>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(METHODS, name);
}
