import { Type, type Static } from 'typebox';
import { FolderId, ThreadId, Timestamp, TurnId, WorkspaceId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { SandboxPolicy } from './sandbox-policy.js';

/** `active` threads show in the default lists; `archived` ones are kept but set aside. */
export const ThreadStatus = Type.Union([Type.Literal('active'), Type.Literal('archived')]);
export type ThreadStatus = Static<typeof ThreadStatus>;

export const ThreadTitle = Type.String({ minLength: 1, maxLength: LIMITS.titleLength, pattern: '\\S' });
export const ThreadSummary = Type.String({ maxLength: LIMITS.summaryLength });

export const Thread = Type.Object({
  thread_id: ThreadId,
  workspace_id: WorkspaceId,
  /** null: at the workspace root. */
  folder_id: Type.Union([FolderId, Type.Null()]),
  /** null until the client or a summariser names it. */
  title: Type.Union([ThreadTitle, Type.Null()]),
  summary: Type.Union([ThreadSummary, Type.Null()]),
  summary_updated_at: Type.Union([Timestamp, Type.Null()]),
  status: ThreadStatus,
  sandbox_policy: SandboxPolicy,
  /** Lineage: the thread (and optionally the turn of it) this one was forked from. */
  forked_from_thread_id: Type.Union([ThreadId, Type.Null()]),
  forked_from_turn_id: Type.Union([TurnId, Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
  /** Orders `thread/list` (newest first); moved forward by turns, not by metadata edits. */
  last_activity_at: Timestamp,
});
export type Thread = Static<typeof Thread>;
