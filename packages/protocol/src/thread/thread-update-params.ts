import { Type, type Static } from 'typebox';
import { FolderId, ThreadId, WorkspaceId } from '../common/ids.js';
import { SandboxPolicy } from './sandbox-policy.js';
import { ThreadStatus, ThreadSummary } from './thread.js';

/**
 * Params of thread operations that `CrudStore` offers but no JSON-RPC method exposes yet
 * (summaries are written by the runtime, policy and status by later methods). Kept here so
 * crud validates them with the same rules as everything else; not in `METHODS`.
 */
const strict = { additionalProperties: false } as const;
const ThreadRef = { workspace_id: WorkspaceId, thread_id: ThreadId };

export const ThreadRefParams = Type.Object(ThreadRef, strict);
/** null clears the summary. */
export const ThreadSummaryUpdateParams = Type.Object({ ...ThreadRef, summary: Type.Union([ThreadSummary, Type.Null()]) }, strict);
export const ThreadSandboxPolicySetParams = Type.Object({ ...ThreadRef, sandbox_policy: SandboxPolicy }, strict);
export const ThreadStatusSetParams = Type.Object({ ...ThreadRef, status: ThreadStatus }, strict);
export const FolderRefParams = Type.Object({ workspace_id: WorkspaceId, folder_id: FolderId }, strict);

export type ThreadRefParams = Static<typeof ThreadRefParams>;
export type ThreadSummaryUpdateParams = Static<typeof ThreadSummaryUpdateParams>;
export type ThreadSandboxPolicySetParams = Static<typeof ThreadSandboxPolicySetParams>;
export type ThreadStatusSetParams = Static<typeof ThreadStatusSetParams>;
export type FolderRefParams = Static<typeof FolderRefParams>;
