export { ERROR_CODES, isErrorCode, rpcCodeFor, type ErrorCode } from './errors/error-codes.js';
export { CairnError, hasErrorCode, isCairnError, type CairnErrorOptions } from './errors/cairn-error.js';

export { LIMITS } from './common/limits.js';
export { AttachmentId, FolderId, ID_PATTERN, Name, ThreadId, Timestamp, TurnId, WorkspaceId } from './common/ids.js';
export { Cursor, PAGE_PARAMS, Page, PageLimit, PageParams, type PageResult } from './common/pagination.js';
export { checkValue, type CheckResult, type ValidationIssue } from './common/check-value.js';
/** Re-exported so packages that may not import typebox (crud, gateway) can type schema-generic code. */
export type { Static, TSchema } from 'typebox';

export { Workspace } from './workspace/workspace.js';
export {
  WorkspaceCreateParams,
  WorkspaceDefaultParams,
  WorkspaceGetParams,
  WorkspaceListParams,
  WorkspaceListResult,
  WorkspaceResult,
  workspaceMethods,
} from './workspace/workspace-methods.js';

export { DEFAULT_SANDBOX_POLICY, SandboxMode, SandboxPolicy } from './thread/sandbox-policy.js';
export { Thread, ThreadStatus, ThreadSummary, ThreadTitle } from './thread/thread.js';
export { ThreadFolder } from './thread/thread-folder.js';
export { THREAD_TREE_MAX_THREADS, ThreadTree, ThreadTreeNode } from './thread/thread-tree.js';
export {
  ThreadForkParams,
  ThreadGetParams,
  ThreadGetResult,
  ThreadListParams,
  ThreadListResult,
  ThreadMoveParams,
  ThreadResult,
  ThreadStartParams,
  ThreadStartResult,
  ThreadTreeParams,
  ThreadUnsubscribeParams,
  ThreadUnsubscribeResult,
  threadMethods,
} from './thread/thread-methods.js';
export {
  FolderRefParams,
  ThreadRefParams,
  ThreadSandboxPolicySetParams,
  ThreadStatusSetParams,
  ThreadSummaryUpdateParams,
} from './thread/thread-update-params.js';
export {
  FolderCreateParams,
  FolderDeleteParams,
  FolderDeleteResult,
  FolderMoveParams,
  FolderResult,
  threadFolderMethods,
} from './thread/folder-methods.js';

export {
  defineMethods,
  mergeMethodGroups,
  type MergedMethods,
  type MethodGroup,
  type MethodSpec,
  type ParamsOfSpec,
  type ResultOfSpec,
} from './methods/define-methods.js';
export { METHODS, isMethodName, type MethodName, type Methods, type ParamsOf, type ResultOf } from './methods/registry.js';

export * from './secrets/index.js';
export * from './turn/index.js';
export * from './turn-records/index.js';
export * from './task/index.js';
export * from './artifact/index.js';

export * from './auth/auth-methods.js';
export * from './sync/sync-methods.js';
export * from './transfer/index.js';
export * from './notifications/notifications.js';
export * from './openrpc/openrpc-document.js';
