import { Type, type Static } from 'typebox';
import { FolderId, Name, WorkspaceId } from '../common/ids.js';
import { defineMethods } from '../methods/define-methods.js';
import { ThreadFolder } from './thread-folder.js';

const strict = { additionalProperties: false } as const;
const ParentFolder = Type.Union([FolderId, Type.Null()]);

export const FolderCreateParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    /** Client-chosen id; generated when absent. A taken id is a `conflict`. */
    folder_id: Type.Optional(FolderId),
    /** Absent or null: at the root. */
    parent_folder_id: Type.Optional(ParentFolder),
    name: Name,
  },
  strict,
);
export const FolderResult = Type.Object({ folder: ThreadFolder });

/** Moving a folder under itself or one of its descendants is an `invariant_violation`. */
export const FolderMoveParams = Type.Object(
  { workspace_id: WorkspaceId, folder_id: FolderId, parent_folder_id: ParentFolder },
  strict,
);

/**
 * Deletes one folder. Nothing else is deleted: its threads and direct subfolders move up to
 * the deleted folder's parent (the root when it had none), keeping their own subtrees.
 */
export const FolderDeleteParams = Type.Object({ workspace_id: WorkspaceId, folder_id: FolderId }, strict);
export const FolderDeleteResult = Type.Object({
  folder_id: FolderId,
  /** Where the threads and subfolders went; null: the root. */
  reparented_to: ParentFolder,
  moved_threads: Type.Integer({ minimum: 0 }),
  moved_folders: Type.Integer({ minimum: 0 }),
});

export type FolderCreateParams = Static<typeof FolderCreateParams>;
export type FolderMoveParams = Static<typeof FolderMoveParams>;
export type FolderDeleteParams = Static<typeof FolderDeleteParams>;
export type FolderResult = Static<typeof FolderResult>;
export type FolderDeleteResult = Static<typeof FolderDeleteResult>;

export const threadFolderMethods = defineMethods({
  'thread/folder/create': { params: FolderCreateParams, result: FolderResult },
  'thread/folder/move': { params: FolderMoveParams, result: FolderResult },
  'thread/folder/delete': { params: FolderDeleteParams, result: FolderDeleteResult },
});
