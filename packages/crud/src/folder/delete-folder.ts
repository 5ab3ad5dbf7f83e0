import { FolderDeleteParams, type FolderDeleteResult } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { journalThreads, type ThreadDeps } from '../thread/thread-events.js';
import { THREAD_COLUMNS, toThread, type ThreadRow } from '../thread/thread-row.js';
import { requireFolder } from './folder-row.js';

const FOLDER_THREADS = `SELECT ${THREAD_COLUMNS} FROM thread WHERE workspace_id = ? AND folder_id = ? ORDER BY thread_id`;
const MOVE_THREADS = 'UPDATE thread SET folder_id = ?, updated_at = ? WHERE workspace_id = ? AND folder_id = ?';
const MOVE_FOLDERS = 'UPDATE thread_folder SET parent_folder_id = ?, updated_at = ? WHERE workspace_id = ? AND parent_folder_id = ?';
const DELETE = 'DELETE FROM thread_folder WHERE folder_id = ?';

/**
 * `thread/folder/delete` deletes exactly one folder and nothing else: its threads and its
 * direct subfolders (with their subtrees intact) move up to its parent, or to the root. One
 * transaction, so no reader ever sees a thread pointing at a deleted folder. Each moved thread
 * journals `thread.updated` (its new folder) in that transaction; folders have no stream.
 */
export async function deleteFolder(deps: ThreadDeps, params: FolderDeleteParams): Promise<FolderDeleteResult> {
  const { context: store, events } = deps;
  const p = parseParams(FolderDeleteParams, params, 'thread/folder/delete');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireFolder(ctx, p.workspace_id, p.folder_id);
    const now = store.now();
    const parent = row.parent_folder_id;
    const moved = await ctx.all<ThreadRow>(FOLDER_THREADS, [p.workspace_id, row.folder_id]);
    const threads = (await ctx.run(MOVE_THREADS, [parent, now, p.workspace_id, row.folder_id])).changes;
    const folders = (await ctx.run(MOVE_FOLDERS, [parent, now, p.workspace_id, row.folder_id])).changes;
    await ctx.run(DELETE, [row.folder_id]);
    await journalThreads(ctx, events, 'thread.updated', moved.map((t) => toThread({ ...t, folder_id: parent, updated_at: now })));
    return { folder_id: row.folder_id, reparented_to: parent, moved_threads: threads, moved_folders: folders };
  });
}
