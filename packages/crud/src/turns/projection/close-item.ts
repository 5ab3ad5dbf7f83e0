import type { ItemTerminalStatus, TurnError } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import type { ItemState } from './turn-state.js';
import type { PlacedTurnEnvelope, ProjectionDeps } from './types.js';

const CLOSE_ITEM = `UPDATE turn_item SET status = ?, text = ?, payload = ?, error = ?, reason = ?, completed_at = ?, updated_at = ?,
  retry_due_at = NULL, held_sealed = NULL WHERE turn_id = ? AND item_id = ?`;
// `status || ''`, an expression rather than the bare column: given the bare column SQLite
// seeks idx_turn_item_attempt_status (status) and walks every running attempt of the
// gateway (64 with 64 concurrent turns) instead of the item's few rows by primary key
// (turn_id, item_id, attempt). Portable, unlike SQLite's unary-plus hint (`+status`), which
// PostgreSQL has no operator for on text.
export const CLOSE_ATTEMPTS = `UPDATE turn_item_attempt SET status = ?, ended_at = ?, reason = ?
  WHERE turn_id = ? AND item_id = ? AND status || '' = 'running'`;
export const RUNNING_ATTEMPTS = "SELECT count(*) AS n FROM turn_item_attempt WHERE turn_id = ? AND item_id = ? AND status || '' = 'running'";

export interface ItemEnd {
  status: ItemTerminalStatus;
  text?: string | undefined;
  payload?: Record<string, unknown> | undefined;
  error?: TurnError | undefined;
  reason?: string | undefined;
  /** The held tail of streamed text, released as the item closes (unless `text` replaces it all). */
  heldRelease?: string | undefined;
}

/** Ends an open item and every running attempt of it, and indexes its final text for search. */
export async function closeItem(ctx: WriteContext, env: PlacedTurnEnvelope, deps: ProjectionDeps, item: ItemState, end: ItemEnd): Promise<void> {
  const text = end.text ?? (end.heldRelease ? (item.text ?? '') + end.heldRelease : item.text);
  const payload = end.payload === undefined ? item.payload : JSON.stringify(end.payload);
  const error = end.error === undefined ? null : JSON.stringify(end.error);
  const reason = end.reason ?? null;
  await ctx.run(CLOSE_ITEM, [end.status, text, payload, error, reason, env.at, env.at, env.turnId, item.item_id]);
  await closeAttempts(ctx, env, item.item_id, end.status, reason);
  const searchable = searchText(item.item_type, text, payload);
  if (searchable !== '') {
    await deps.search.add(ctx, { workspaceId: env.workspaceId, threadId: env.threadId, turnId: env.turnId, itemId: item.item_id, text: searchable, at: env.at });
  }
}

export async function closeAttempts(ctx: WriteContext, env: PlacedTurnEnvelope, itemId: string, status: string, reason: string | null): Promise<number> {
  return (await ctx.run(CLOSE_ATTEMPTS, [status, env.at, reason, env.turnId, itemId])).changes;
}

export async function hasRunningAttempts(ctx: WriteContext, turnId: string, itemId: string): Promise<boolean> {
  return ((await ctx.get<{ n: number }>(RUNNING_ATTEMPTS, [turnId, itemId]))?.n ?? 0) > 0;
}

/**
 * What search sees of a finished item: its text, and for tool items the top-level strings of
 * the payload (command line, query, path, tool name), so "that rm -rf" can be found.
 */
function searchText(itemType: string, text: string | null, payloadJson: string | null): string {
  const parts: string[] = text ? [text] : [];
  if (itemType !== 'agent_message' && itemType !== 'reasoning' && payloadJson) {
    const payload = JSON.parse(payloadJson) as Record<string, unknown>;
    for (const value of Object.values(payload)) {
      if (typeof value === 'string') parts.push(value);
      else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') parts.push(v);
    }
  }
  return parts.join('\n');
}
