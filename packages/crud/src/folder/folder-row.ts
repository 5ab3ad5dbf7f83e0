import { CairnError, type ThreadFolder } from '@cairn/protocol';
import type { ReadContext } from '../store/store-context.js';

export interface FolderRow {
  folder_id: string;
  workspace_id: string;
  parent_folder_id: string | null;
  name: string;
  created_at: string;
  updated_at: string;
}

export const FOLDER_COLUMNS = 'folder_id, workspace_id, parent_folder_id, name, created_at, updated_at';

export function toFolder(row: FolderRow): ThreadFolder {
  return { ...row };
}

const FIND = `SELECT ${FOLDER_COLUMNS} FROM thread_folder WHERE folder_id = ?`;

export function findFolderAnywhere(q: ReadContext, folderId: string): Promise<FolderRow | undefined> {
  return q.get<FolderRow>(FIND, [folderId]);
}

/** The folder if it belongs to `workspaceId`; one of another workspace is `not_found`, like a missing one. */
export async function requireFolder(q: ReadContext, workspaceId: string, folderId: string): Promise<FolderRow> {
  const row = await findFolderAnywhere(q, folderId);
  if (!row || row.workspace_id !== workspaceId) {
    throw new CairnError('not_found', 'folder not found', { details: { workspace_id: workspaceId, folder_id: folderId } });
  }
  return row;
}

/** `null` (the root) is always valid; an id must name a folder of the workspace. */
export async function requireTargetFolder(q: ReadContext, workspaceId: string, folderId: string | null | undefined): Promise<string | null> {
  if (folderId === null || folderId === undefined) return null;
  return (await requireFolder(q, workspaceId, folderId)).folder_id;
}
