import { ThreadFolderEntity } from '@cairn/entity';
import { CairnError, FolderCreateParams, type ThreadFolder } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { findFolderAnywhere, requireTargetFolder, toFolder, type FolderRow } from './folder-row.js';

/**
 * `thread/folder/create`: under `parent_folder_id` (a folder of the same workspace) or at the
 * root. Sibling names are not required to be unique. A taken `folder_id` is a `conflict`.
 */
export async function createFolder(store: StoreContext, params: FolderCreateParams): Promise<ThreadFolder> {
  const p = parseParams(FolderCreateParams, params, 'thread/folder/create');
  const folderId = p.folder_id ?? store.newId('fld');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireWorkspace(ctx, p.workspace_id);
    if (await findFolderAnywhere(ctx, folderId)) {
      throw new CairnError('conflict', 'folder id is not available', { details: { folder_id: folderId } });
    }
    const now = store.now();
    const row: FolderRow = {
      folder_id: folderId,
      workspace_id: p.workspace_id,
      parent_folder_id: await requireTargetFolder(ctx, p.workspace_id, p.parent_folder_id),
      name: p.name,
      created_at: now,
      updated_at: now,
    };
    await ctx.manager.insert(ThreadFolderEntity, {
      folderId: row.folder_id,
      workspaceId: row.workspace_id,
      parentFolderId: row.parent_folder_id,
      name: row.name,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    return toFolder(row);
  });
}
