import { WorkspaceEntity } from '@cairn/entity';
import { CairnError, WorkspaceCreateParams, type Workspace } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { findWorkspaceRow, toWorkspace, type WorkspaceRow } from './workspace-row.js';

/** Creates a workspace; a client-chosen id that is already taken is a `conflict`. */
export async function createWorkspace(store: StoreContext, params: WorkspaceCreateParams): Promise<Workspace> {
  const p = parseParams(WorkspaceCreateParams, params, 'workspace/create');
  const workspaceId = p.workspace_id ?? store.newId('ws');
  return store.write(async (ctx) => {
    if (await findWorkspaceRow(ctx, workspaceId)) {
      throw new CairnError('conflict', 'workspace id is already taken', { details: { workspace_id: workspaceId } });
    }
    const now = store.now();
    const row: WorkspaceRow = { workspace_id: workspaceId, name: p.name, default_slot: null, created_at: now, updated_at: now };
    // A cold path: the ORM insert keeps the entity mapping exercised by every test that creates a workspace.
    await ctx.manager.insert(WorkspaceEntity, {
      workspaceId: row.workspace_id,
      name: row.name,
      defaultSlot: null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    return toWorkspace(row);
  });
}
