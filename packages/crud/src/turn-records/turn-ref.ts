import { CairnError, TERMINAL_TURN_STATUSES, type TurnStatus } from '@cairn/protocol';
import type { ReadContext } from '../store/store-context.js';

export interface TurnRefRow {
  turn_id: string;
  workspace_id: string;
  thread_id: string;
  status: string;
  completed_at: string | null;
}

const SELECT_TURN = 'SELECT turn_id, workspace_id, thread_id, status, completed_at FROM turn WHERE turn_id = ?';

/**
 * The turn (read model of the TurnProjector) if it belongs to this workspace and thread. A
 * turn of another workspace or thread is reported exactly like a missing one.
 */
export async function requireTurn(q: ReadContext, workspaceId: string, threadId: string, turnId: string): Promise<TurnRefRow> {
  const row = await q.get<TurnRefRow>(SELECT_TURN, [turnId]);
  if (!row || row.workspace_id !== workspaceId || row.thread_id !== threadId) {
    throw new CairnError('not_found', 'turn not found', { details: { workspace_id: workspaceId, thread_id: threadId, turn_id: turnId } });
  }
  return row;
}

/** The turn if it belongs to this workspace, whatever its thread. */
export async function requireTurnInWorkspace(q: ReadContext, workspaceId: string, turnId: string): Promise<TurnRefRow> {
  const row = await q.get<TurnRefRow>(SELECT_TURN, [turnId]);
  if (!row || row.workspace_id !== workspaceId) {
    throw new CairnError('not_found', 'turn not found', { details: { workspace_id: workspaceId, turn_id: turnId } });
  }
  return row;
}

export function isTerminalTurn(row: TurnRefRow): boolean {
  return (TERMINAL_TURN_STATUSES as readonly string[]).includes(row.status as TurnStatus);
}
