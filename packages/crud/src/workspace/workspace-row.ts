import { CairnError, type Workspace } from '@cairn/protocol';
import type { ReadContext } from '../store/store-context.js';

export interface WorkspaceRow {
  workspace_id: string;
  name: string;
  default_slot: string | null;
  created_at: string;
  updated_at: string;
}

export const WORKSPACE_COLUMNS = 'workspace_id, name, default_slot, created_at, updated_at';

export function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    workspace_id: row.workspace_id,
    name: row.name,
    is_default: row.default_slot !== null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function findWorkspaceRow(q: ReadContext, workspaceId: string): Promise<WorkspaceRow | undefined> {
  return q.get<WorkspaceRow>(`SELECT ${WORKSPACE_COLUMNS} FROM workspace WHERE workspace_id = ?`, [workspaceId]);
}

/** Every workspace-scoped operation starts here: an unknown workspace is `not_found`. */
export async function requireWorkspace(q: ReadContext, workspaceId: string): Promise<WorkspaceRow> {
  const row = await findWorkspaceRow(q, workspaceId);
  if (!row) throw new CairnError('not_found', 'workspace not found', { details: { workspace_id: workspaceId } });
  return row;
}
