import { Type, type Static } from 'typebox';
import { FolderId, Name, Timestamp, WorkspaceId } from '../common/ids.js';

/** A folder of threads; folders nest (parent in the same workspace, never a cycle). */
export const ThreadFolder = Type.Object({
  folder_id: FolderId,
  workspace_id: WorkspaceId,
  /** null: at the workspace root. */
  parent_folder_id: Type.Union([FolderId, Type.Null()]),
  name: Name,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ThreadFolder = Static<typeof ThreadFolder>;
