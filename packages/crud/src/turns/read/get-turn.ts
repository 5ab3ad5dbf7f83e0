import { TurnGetParams, type TurnGetResult, type TurnStatusChange, type TurnId, type WorkspaceId } from '@cairn/protocol';
import { parseParams } from '../../errors/parse-params.js';
import type { ReadContext, StoreContext } from '../../store/store-context.js';
import { requireTurn, toStatusChange, toTurn, type StatusChangeRow } from './turn-rows.js';

const HISTORY = 'SELECT turn_id, seq, from_status, to_status, reason, changed_at FROM turn_status_change WHERE turn_id = ? ORDER BY seq';

/** `turn/get`: the turn, and on request its status history (oldest first). */
export async function getTurn(store: StoreContext, params: TurnGetParams): Promise<TurnGetResult> {
  const p = parseParams(TurnGetParams, params, 'turn/get');
  return store.read(async (q) => {
    const turn = await toTurn(q, await requireTurn(q, p.workspace_id, p.turn_id));
    return p.include_status_history ? { turn, status_history: await statusHistory(q, p.workspace_id, p.turn_id) } : { turn };
  });
}

export async function statusHistory(q: ReadContext, workspaceId: WorkspaceId, turnId: TurnId): Promise<TurnStatusChange[]> {
  await requireTurn(q, workspaceId, turnId);
  return (await q.all<StatusChangeRow>(HISTORY, [turnId])).map(toStatusChange);
}
