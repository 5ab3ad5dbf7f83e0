import {
  THREAD_TREE_MAX_THREADS,
  ThreadTreeParams,
  type Thread,
  type ThreadTree,
  type ThreadTreeNode,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { FOLDER_COLUMNS, toFolder, type FolderRow } from '../folder/folder-row.js';
import type { StoreContext } from '../store/store-context.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { THREAD_COLUMNS, toThread, type ThreadRow } from './thread-row.js';

const FOLDERS = `SELECT ${FOLDER_COLUMNS} FROM thread_folder WHERE workspace_id = ? ORDER BY name, folder_id`;
const THREADS = `SELECT ${THREAD_COLUMNS} FROM thread WHERE workspace_id = ? ORDER BY last_activity_at DESC, thread_id DESC LIMIT ?`;
const THREADS_BY_STATUS = `SELECT ${THREAD_COLUMNS} FROM thread WHERE workspace_id = ? AND status = ?
  ORDER BY last_activity_at DESC, thread_id DESC LIMIT ?`;

/**
 * `thread/tree`: every folder of the workspace, nested, each with its threads (newest
 * activity first), from one snapshot. At most `THREAD_TREE_MAX_THREADS` threads, the most
 * recently active; `truncated` says more exist.
 */
export async function threadTree(store: StoreContext, params: ThreadTreeParams): Promise<ThreadTree> {
  const p = parseParams(ThreadTreeParams, params, 'thread/tree');
  const cap = THREAD_TREE_MAX_THREADS;
  const { folders, threads } = await store.read(async (q) => {
    await requireWorkspace(q, p.workspace_id);
    return {
      folders: await q.all<FolderRow>(FOLDERS, [p.workspace_id]),
      threads:
        p.status === undefined
          ? await q.all<ThreadRow>(THREADS, [p.workspace_id, cap + 1])
          : await q.all<ThreadRow>(THREADS_BY_STATUS, [p.workspace_id, p.status, cap + 1]),
    };
  });
  const truncated = threads.length > cap;
  return { workspace_id: p.workspace_id, truncated, ...nest(folders, threads.slice(0, cap).map(toThread)) };
}

function nest(folderRows: FolderRow[], threads: Thread[]): { folders: ThreadTreeNode[]; threads: Thread[] } {
  const nodes = new Map<string, ThreadTreeNode>();
  for (const row of folderRows) nodes.set(row.folder_id, { folder: toFolder(row), folders: [], threads: [] });
  const root = { folders: [] as ThreadTreeNode[], threads: [] as Thread[] };
  // Rows arrive sorted by name, so appending keeps every level sorted.
  for (const node of nodes.values()) {
    const parent = node.folder.parent_folder_id === null ? undefined : nodes.get(node.folder.parent_folder_id);
    (parent ?? root).folders.push(node);
  }
  for (const thread of threads) {
    const parent = thread.folder_id === null ? undefined : nodes.get(thread.folder_id);
    (parent ?? root).threads.push(thread);
  }
  return root;
}
