import { DEFAULT_WORKSPACE_SLOT, WorkspaceEntity } from '@cairn/entity';
import { hasErrorCode, type Workspace } from '@cairn/protocol';
import type { ReadContext, StoreContext } from '../store/store-context.js';
import { WORKSPACE_COLUMNS, toWorkspace, type WorkspaceRow } from './workspace-row.js';

export const DEFAULT_WORKSPACE_NAME = 'Default';

const FIND_DEFAULT = `SELECT ${WORKSPACE_COLUMNS} FROM workspace WHERE default_slot = ?`;

const findDefault = (q: ReadContext) => q.get<WorkspaceRow>(FIND_DEFAULT, [DEFAULT_WORKSPACE_SLOT]);

/**
 * `workspace/default`: returns the default workspace, creating it the first time. Race-free:
 * the check and the insert run in one write transaction; on SQLite writers are serialised (in
 * this process by the coordinator, across processes by `BEGIN IMMEDIATE`), so concurrent
 * callers all get the same row. Where two writers can check at once (PostgreSQL), or against
 * any writer that bypasses crud, the UNIQUE `default_slot` refuses the second insert: its
 * caller reads the winner's row instead.
 */
export async function ensureDefaultWorkspace(store: StoreContext): Promise<Workspace> {
  const existing = await store.read(findDefault);
  if (existing) return toWorkspace(existing);
  try {
    return await createDefault(store);
  } catch (error) {
    const winner = hasErrorCode(error, 'conflict') ? await store.read(findDefault) : undefined;
    if (winner) return toWorkspace(winner);
    throw error;
  }
}

function createDefault(store: StoreContext): Promise<Workspace> {
  return store.write(async (ctx) => {
    const found = await findDefault(ctx);
    if (found) return toWorkspace(found);
    const now = store.now();
    const row: WorkspaceRow = {
      workspace_id: store.newId('ws'),
      name: DEFAULT_WORKSPACE_NAME,
      default_slot: DEFAULT_WORKSPACE_SLOT,
      created_at: now,
      updated_at: now,
    };
    await ctx.manager.insert(WorkspaceEntity, {
      workspaceId: row.workspace_id,
      name: row.name,
      defaultSlot: row.default_slot,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    return toWorkspace(row);
  });
}
