import type { TurnStatus } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { violation } from '../../event-log/decision.js';
import type { Refusal } from '../../event-log/types.js';
import type { TurnEnvelope } from './types.js';

export interface TurnState {
  turn_id: string;
  workspace_id: string;
  thread_id: string;
  status: TurnStatus;
  item_count: number;
  open_recoveries: number;
  last_seq: number;
  completed_at: string | null;
}

export interface ItemState {
  item_id: string;
  item_type: string;
  status: string;
  attempt: number;
  text: string | null;
  payload: string | null;
  timed_out_at: string | null;
  retry_due_at: string | null;
}

const TURN = 'SELECT turn_id, workspace_id, thread_id, status, item_count, open_recoveries, last_seq, completed_at FROM turn WHERE turn_id = ?';
const ITEM = 'SELECT item_id, item_type, status, attempt, text, payload, timed_out_at, retry_due_at FROM turn_item WHERE turn_id = ? AND item_id = ?';

export const isTerminalTurn = (status: string): boolean => status === 'completed' || status === 'failed' || status === 'cancelled';
export const isTerminalItem = (status: string): boolean => status !== 'in_progress';

export function loadTurn(ctx: WriteContext, turnId: string): Promise<TurnState | undefined> {
  return ctx.get<TurnState>(TURN, [turnId]);
}

export function loadItem(ctx: WriteContext, turnId: string, itemId: string): Promise<ItemState | undefined> {
  return ctx.get<ItemState>(ITEM, [turnId, itemId]);
}

/**
 * The turn an event (other than `turn.started`) belongs to, if it exists in the event's own
 * workspace and thread. A turn of another thread or workspace is a violation, never a match:
 * a runtime cannot write into someone else's turn by reusing its id.
 */
export async function findOwnTurn(ctx: WriteContext, env: TurnEnvelope): Promise<TurnState | Refusal> {
  const turn = await loadTurn(ctx, env.turnId);
  if (!turn) return violation(`turn ${env.turnId} has not started`);
  if (turn.workspace_id !== env.workspaceId || turn.thread_id !== env.threadId) {
    return violation(`turn ${env.turnId} belongs to another thread or workspace`);
  }
  return turn;
}

/** As `findOwnTurn`, and the turn must still be running: anything after the end is impossible. */
export async function findActiveTurn(ctx: WriteContext, env: TurnEnvelope): Promise<TurnState | Refusal> {
  const turn = await findOwnTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  if (isTerminalTurn(turn.status)) return violation(`${env.event.type} after the turn ended (${turn.status})`);
  return turn;
}

export function isRefusal(value: TurnState | Refusal): value is Refusal {
  return 'outcome' in value;
}
