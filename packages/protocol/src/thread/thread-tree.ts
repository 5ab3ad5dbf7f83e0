import { Type, type Static } from 'typebox';
import { WorkspaceId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { Thread } from './thread.js';
import { ThreadFolder } from './thread-folder.js';

/** A folder with its subfolders and threads, recursively. */
export const ThreadTreeNode = Type.Cyclic(
  {
    ThreadTreeNode: Type.Object({
      folder: ThreadFolder,
      folders: Type.Array(Type.Ref('ThreadTreeNode')),
      threads: Type.Array(Thread),
    }),
  },
  'ThreadTreeNode',
);

export interface ThreadTreeNode {
  folder: ThreadFolder;
  folders: ThreadTreeNode[];
  threads: Thread[];
}

/**
 * The whole folder tree of a workspace with its threads. Folders are ordered by name, threads
 * by newest activity. At most `LIMITS.threadTreeMaxThreads` threads (the most recently active)
 * are included; `truncated` says some were left out (page them with `thread/list`).
 */
export const ThreadTree = Type.Object({
  workspace_id: WorkspaceId,
  folders: Type.Array(ThreadTreeNode),
  /** Threads at the workspace root. */
  threads: Type.Array(Thread),
  truncated: Type.Boolean(),
});

export interface ThreadTree extends Omit<Static<typeof ThreadTree>, 'folders'> {
  folders: ThreadTreeNode[];
}

/** @deprecated Use `LIMITS.threadTreeMaxThreads`: this alias stays while crud imports it. */
export const THREAD_TREE_MAX_THREADS = LIMITS.threadTreeMaxThreads;
