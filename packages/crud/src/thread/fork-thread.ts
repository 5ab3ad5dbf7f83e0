import { ThreadForkParams, type Thread } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { requireTargetFolder } from '../folder/folder-row.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { journalThread, type ThreadDeps } from './thread-events.js';
import { assertThreadIdFree, insertThread, requireThread, toThread, type ThreadRow } from './thread-row.js';

/**
 * `thread/fork`: a new thread in the source's workspace with the source's title, sandbox
 * policy and folder (each overridable), `forked_from_*` recording the lineage. The summary is
 * not copied: it described the source's whole history. `from_turn_id` is stored as given;
 * checking that the turn belongs to the source arrives with the turn table. The new thread
 * journals `thread.started` in the same job.
 */
export async function forkThread(deps: ThreadDeps, params: ThreadForkParams): Promise<Thread> {
  const { context: store, events } = deps;
  const p = parseParams(ThreadForkParams, params, 'thread/fork');
  const threadId = p.thread_id ?? store.newId('thr');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireWorkspace(ctx, p.workspace_id);
    const source = await requireThread(ctx, p.workspace_id, p.from_thread_id);
    await assertThreadIdFree(ctx, threadId);
    const folderId = p.folder_id === undefined ? source.folder_id : await requireTargetFolder(ctx, p.workspace_id, p.folder_id);
    const now = store.now();
    const row: ThreadRow = {
      thread_id: threadId,
      workspace_id: p.workspace_id,
      folder_id: folderId,
      title: p.title === undefined ? source.title : store.redactText(p.title),
      summary: null,
      summary_updated_at: null,
      status: 'active',
      sandbox_policy: source.sandbox_policy,
      forked_from_thread_id: source.thread_id,
      forked_from_turn_id: p.from_turn_id ?? null,
      created_at: now,
      updated_at: now,
      last_activity_at: now,
    };
    await insertThread(ctx, row);
    return journalThread(ctx, events, 'thread.started', toThread(row));
  });
}
