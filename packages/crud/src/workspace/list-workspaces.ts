import { LIMITS, WorkspaceListParams, type PageResult, type Workspace } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { decodeCursor, toPage } from '../pagination/cursor.js';
import type { StoreContext } from '../store/store-context.js';
import { WORKSPACE_COLUMNS, toWorkspace, type WorkspaceRow } from './workspace-row.js';

const FILTER = 'workspaces';
const FIRST = `SELECT ${WORKSPACE_COLUMNS} FROM workspace ORDER BY created_at, workspace_id LIMIT ?`;
const AFTER = `SELECT ${WORKSPACE_COLUMNS} FROM workspace
  WHERE created_at > ? OR (created_at = ? AND workspace_id > ?)
  ORDER BY created_at, workspace_id LIMIT ?`;

/** Oldest first, so workspaces created while paging appear on a later page, never shift one. */
export async function listWorkspaces(store: StoreContext, params: WorkspaceListParams = {}): Promise<PageResult<Workspace>> {
  const p = parseParams(WorkspaceListParams, params, 'workspace/list');
  const limit = p.limit ?? LIMITS.pageDefault;
  const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, FILTER);
  const rows = await store.read((q) =>
    after ? q.all<WorkspaceRow>(AFTER, [after[0], after[0], after[1], limit + 1]) : q.all<WorkspaceRow>(FIRST, [limit + 1]),
  );
  return toPage(rows, limit, toWorkspace, (r) => [r.created_at, r.workspace_id], FILTER);
}
