import { LIMITS, ThreadListParams, type PageResult, type Thread } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { requireFolder } from '../folder/folder-row.js';
import { decodeCursor, toPage } from '../pagination/cursor.js';
import type { StoreContext } from '../store/store-context.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { THREAD_COLUMNS, toThread, type ThreadRow } from './thread-row.js';

type FolderFilter = { kind: 'any' } | { kind: 'root' } | { kind: 'folder'; id: string };

/**
 * The SQL for one combination of filters. Only a handful of texts exist (3 folder forms x
 * status or not x cursor or not), so each is a fixed prepared statement; every value is a
 * `?` parameter. The keyset predicate is written with OR rather than a row-value comparison
 * so it stays portable.
 */
function listSql(folder: FolderFilter['kind'], byStatus: boolean, afterCursor: boolean): string {
  const where = ['workspace_id = ?'];
  if (folder === 'root') where.push('folder_id IS NULL');
  if (folder === 'folder') where.push('folder_id = ?');
  if (byStatus) where.push('status = ?');
  if (afterCursor) where.push('(last_activity_at < ? OR (last_activity_at = ? AND thread_id < ?))');
  return `SELECT ${THREAD_COLUMNS} FROM thread WHERE ${where.join(' AND ')} ORDER BY last_activity_at DESC, thread_id DESC LIMIT ?`;
}

/**
 * `thread/list`: newest activity first, keyset-paginated. A `folder_id` filter naming no folder
 * of this workspace is `not_found`, exactly as for a folder that does not exist anywhere.
 */
export async function listThreads(store: StoreContext, params: ThreadListParams): Promise<PageResult<Thread>> {
  const p = parseParams(ThreadListParams, params, 'thread/list');
  const limit = p.limit ?? LIMITS.pageDefault;
  const folder: FolderFilter =
    p.folder_id === undefined ? { kind: 'any' } : p.folder_id === null ? { kind: 'root' } : { kind: 'folder', id: p.folder_id };
  const filter = JSON.stringify(['threads', p.workspace_id, folder.kind === 'folder' ? folder.id : folder.kind, p.status ?? null]);
  const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, filter);

  const args: unknown[] = [p.workspace_id];
  if (folder.kind === 'folder') args.push(folder.id);
  if (p.status !== undefined) args.push(p.status);
  if (after) args.push(after[0], after[0], after[1]);
  args.push(limit + 1);
  const sql = listSql(folder.kind, p.status !== undefined, after !== undefined);

  const rows = await store.read(async (q) => {
    await requireWorkspace(q, p.workspace_id);
    if (folder.kind === 'folder') await requireFolder(q, p.workspace_id, folder.id);
    return q.all<ThreadRow>(sql, args);
  });
  return toPage(rows, limit, toThread, (r) => [r.last_activity_at, r.thread_id], filter);
}
