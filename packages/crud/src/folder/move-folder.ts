import { CairnError, FolderMoveParams, type ThreadFolder } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { ReadContext, StoreContext } from '../store/store-context.js';
import { findFolderAnywhere, requireFolder, requireTargetFolder, toFolder } from './folder-row.js';

const MOVE = 'UPDATE thread_folder SET parent_folder_id = ?, updated_at = ? WHERE folder_id = ?';

/**
 * `thread/folder/move`: re-parents a folder (with its subtree) under another folder of the
 * same workspace, or to the root with null. Moving a folder under itself or any of its
 * descendants would make a cycle and detach the subtree from the root: `invariant_violation`.
 */
export async function moveFolder(store: StoreContext, params: FolderMoveParams): Promise<ThreadFolder> {
  const p = parseParams(FolderMoveParams, params, 'thread/folder/move');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireFolder(ctx, p.workspace_id, p.folder_id);
    const parentId = await requireTargetFolder(ctx, p.workspace_id, p.parent_folder_id);
    if (parentId !== null && (await isSelfOrDescendant(ctx, parentId, row.folder_id))) {
      throw new CairnError('invariant_violation', 'a folder cannot move under itself or one of its descendants', {
        details: { folder_id: row.folder_id, parent_folder_id: parentId },
      });
    }
    if (row.parent_folder_id === parentId) return toFolder(row);
    const now = store.now();
    await ctx.run(MOVE, [parentId, now, row.folder_id]);
    return toFolder({ ...row, parent_folder_id: parentId, updated_at: now });
  });
}

/** Walks up from `candidate` to the root: true if it passes through `folderId`. */
async function isSelfOrDescendant(q: ReadContext, candidate: string, folderId: string): Promise<boolean> {
  const seen = new Set<string>();
  for (let at: string | null = candidate; at !== null; ) {
    if (at === folderId) return true;
    // The tree has no cycle (this check keeps it so); `seen` guards against a corrupted file.
    if (seen.has(at)) return true;
    seen.add(at);
    at = (await findFolderAnywhere(q, at))?.parent_folder_id ?? null;
  }
  return false;
}
