import { CairnError, DEFAULT_SANDBOX_POLICY, ThreadStartParams, type Thread } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { requireTargetFolder } from '../folder/folder-row.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { journalThread, type ThreadDeps } from './thread-events.js';
import { findThreadAnywhere, insertThread, policyJson, toThread, type ThreadRow } from './thread-row.js';

export interface ThreadStartOutcome {
  thread: Thread;
  /** false: the id named an existing thread of this workspace, which was re-opened. */
  created: boolean;
}

const REOPEN = 'UPDATE thread SET status = ?, updated_at = ? WHERE thread_id = ?';

/**
 * `thread/start`: creates the thread, or re-opens the existing thread of this workspace with
 * that id (other params ignored; an archived thread becomes active). An id held by another
 * workspace is a `conflict` that does not say which workspace holds it. A creation journals
 * `thread.started`, a re-open of an archived thread `thread.updated`, in the same job; a
 * re-open of an active thread writes nothing at all.
 */
export async function startThread(deps: ThreadDeps, params: ThreadStartParams): Promise<ThreadStartOutcome> {
  const { context: store, events } = deps;
  const p = parseParams(ThreadStartParams, params, 'thread/start');
  const threadId = p.thread_id ?? store.newId('thr');
  // Re-opening an active thread is the common case (every reconnect): answer it without a write.
  if (p.thread_id !== undefined) {
    const active = await store.read(async (q) => {
      const row = await findThreadAnywhere(q, threadId);
      return row && row.workspace_id === p.workspace_id && row.status === 'active' ? row : undefined;
    });
    if (active) return { thread: toThread(active), created: false };
  }
  return store.write(async (ctx) => {
    // First, always: the workspace's writes run one at a time and this one sees the last one's commit (see `Dialect.lockWorkspace`).
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireWorkspace(ctx, p.workspace_id);
    const existing = await findThreadAnywhere(ctx, threadId);
    if (existing) {
      if (existing.workspace_id !== p.workspace_id) {
        throw new CairnError('conflict', 'thread id is not available', { details: { thread_id: threadId } });
      }
      if (existing.status === 'active') return { thread: toThread(existing), created: false };
      const now = store.now();
      await ctx.run(REOPEN, ['active', now, threadId]);
      return { thread: await journalThread(ctx, events, 'thread.updated', toThread({ ...existing, status: 'active', updated_at: now })), created: false };
    }
    const now = store.now();
    const row: ThreadRow = {
      thread_id: threadId,
      workspace_id: p.workspace_id,
      folder_id: await requireTargetFolder(ctx, p.workspace_id, p.folder_id),
      title: p.title === undefined ? null : store.redactText(p.title),
      summary: null,
      summary_updated_at: null,
      status: 'active',
      sandbox_policy: policyJson(p.sandbox_policy ?? DEFAULT_SANDBOX_POLICY),
      forked_from_thread_id: null,
      forked_from_turn_id: null,
      created_at: now,
      updated_at: now,
      last_activity_at: now,
    };
    await insertThread(ctx, row);
    return { thread: await journalThread(ctx, events, 'thread.started', toThread(row)), created: true };
  });
}
