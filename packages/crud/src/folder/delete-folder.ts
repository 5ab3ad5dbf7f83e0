import { FolderDeleteParams, type FolderDeleteResult } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { requireFolder } from './folder-row.js';

const MOVE_THREADS = 'UPDATE thread SET folder_id = ?, updated_at = ? WHERE workspace_id = ? AND folder_id = ?';
const MOVE_FOLDERS = 'UPDATE thread_folder SET parent_folder_id = ?, updated_at = ? WHERE workspace_id = ? AND parent_folder_id = ?';
const DELETE = 'DELETE FROM thread_folder WHERE folder_id = ?';

/**
 * `thread/folder/delete` deletes exactly one folder and nothing else: its threads and its
 * direct subfolders (with their subtrees intact) move up to its parent, or to the root. One
 * transaction, so no reader ever sees a thread pointing at a deleted folder.
 */
export async function deleteFolder(store: StoreContext, params: FolderDeleteParams): Promise<FolderDeleteResult> {
  const p = parseParams(FolderDeleteParams, params, 'thread/folder/delete');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireFolder(ctx, p.workspace_id, p.folder_id);
    const now = store.now();
    const parent = row.parent_folder_id;
    const threads = (await ctx.run(MOVE_THREADS, [parent, now, p.workspace_id, row.folder_id])).changes;
    const folders = (await ctx.run(MOVE_FOLDERS, [parent, now, p.workspace_id, row.folder_id])).changes;
    await ctx.run(DELETE, [row.folder_id]);
    return { folder_id: row.folder_id, reparented_to: parent, moved_threads: threads, moved_folders: folders };
  });
}
