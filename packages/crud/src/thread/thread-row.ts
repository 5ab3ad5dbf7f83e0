import { CairnError, type SandboxPolicy, type Thread, type ThreadStatus } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../store/store-context.js';

export interface ThreadRow {
  thread_id: string;
  workspace_id: string;
  folder_id: string | null;
  title: string | null;
  summary: string | null;
  summary_updated_at: string | null;
  status: string;
  sandbox_policy: string;
  forked_from_thread_id: string | null;
  forked_from_turn_id: string | null;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
}

export const THREAD_COLUMNS =
  'thread_id, workspace_id, folder_id, title, summary, summary_updated_at, status, sandbox_policy, ' +
  'forked_from_thread_id, forked_from_turn_id, created_at, updated_at, last_activity_at';

export function toThread(row: ThreadRow): Thread {
  return {
    thread_id: row.thread_id,
    workspace_id: row.workspace_id,
    folder_id: row.folder_id,
    title: row.title,
    summary: row.summary,
    summary_updated_at: row.summary_updated_at,
    status: row.status as ThreadStatus,
    sandbox_policy: JSON.parse(row.sandbox_policy) as SandboxPolicy,
    forked_from_thread_id: row.forked_from_thread_id,
    forked_from_turn_id: row.forked_from_turn_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_activity_at: row.last_activity_at,
  };
}

/** Canonical JSON of a policy (fixed key order), so equal policies are equal text. */
export function policyJson(policy: SandboxPolicy): string {
  return JSON.stringify({ mode: policy.mode, writable_roots: [...policy.writable_roots], network_access: policy.network_access });
}

const FIND_ANY = `SELECT ${THREAD_COLUMNS} FROM thread WHERE thread_id = ?`;

/** The row whatever its workspace: for the id-conflict rule only. Never return it to a caller of another workspace. */
export function findThreadAnywhere(q: ReadContext, threadId: string): Promise<ThreadRow | undefined> {
  return q.get<ThreadRow>(FIND_ANY, [threadId]);
}

/**
 * The thread if it belongs to `workspaceId`. A thread of another workspace is reported
 * exactly like a missing one, so that ids never leak across workspaces.
 */
export async function requireThread(q: ReadContext, workspaceId: string, threadId: string): Promise<ThreadRow> {
  const row = await findThreadAnywhere(q, threadId);
  if (!row || row.workspace_id !== workspaceId) {
    throw new CairnError('not_found', 'thread not found', { details: { workspace_id: workspaceId, thread_id: threadId } });
  }
  return row;
}

export async function insertThread(ctx: WriteContext, row: ThreadRow): Promise<void> {
  await ctx.run(
    `INSERT INTO thread (${THREAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      row.thread_id,
      row.workspace_id,
      row.folder_id,
      row.title,
      row.summary,
      row.summary_updated_at,
      row.status,
      row.sandbox_policy,
      row.forked_from_thread_id,
      row.forked_from_turn_id,
      row.created_at,
      row.updated_at,
      row.last_activity_at,
    ],
  );
}

/** Throws `conflict` if the id names any thread, in any workspace, without saying which. */
export async function assertThreadIdFree(q: ReadContext, threadId: string): Promise<void> {
  if (await findThreadAnywhere(q, threadId)) {
    throw new CairnError('conflict', 'thread id is not available', { details: { thread_id: threadId } });
  }
}
