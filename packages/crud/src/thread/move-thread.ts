import { ThreadMoveParams, type Thread } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { requireTargetFolder } from '../folder/folder-row.js';
import { journalThread, type ThreadDeps } from './thread-events.js';
import { requireThread, toThread } from './thread-row.js';

const MOVE = 'UPDATE thread SET folder_id = ?, updated_at = ? WHERE thread_id = ?';

/**
 * `thread/move`: into a folder of the same workspace (`not_found` otherwise) or, with null, to
 * the root; journals `thread.updated`. A move to where it already is writes nothing.
 */
export async function moveThread(deps: ThreadDeps, params: ThreadMoveParams): Promise<Thread> {
  const { context: store, events } = deps;
  const p = parseParams(ThreadMoveParams, params, 'thread/move');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireThread(ctx, p.workspace_id, p.thread_id);
    const folderId = await requireTargetFolder(ctx, p.workspace_id, p.folder_id);
    if (row.folder_id === folderId) return toThread(row);
    const now = store.now();
    await ctx.run(MOVE, [folderId, now, row.thread_id]);
    return journalThread(ctx, events, 'thread.updated', toThread({ ...row, folder_id: folderId, updated_at: now }));
  });
}
