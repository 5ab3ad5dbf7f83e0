import type { WriteContext } from '../../port/types.js';

// The writers below hand back the statement's own promise instead of awaiting it in an async
// function of their own: they run once or twice per event, and a frame less each is measurable.
import type { PlacedTurnEnvelope } from './types.js';

const TIMELINE = `INSERT INTO turn_timeline_entry (turn_id, seq, workspace_seq, type, item_id, attempt, status, detail, at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const STATUS_CHANGE = `INSERT INTO turn_status_change (turn_id, seq, from_status, to_status, reason, changed_at) VALUES (?, ?, ?, ?, ?, ?)`;
const BUMP = 'UPDATE turn SET last_seq = ?, updated_at = ? WHERE turn_id = ?';

export interface TimelineFields {
  itemId?: string | null;
  attempt?: number | null;
  status?: string | null;
  detail?: Record<string, unknown> | null;
}

/** One timeline row for the event, keyed by its stream sequence. */
export function addTimeline(ctx: WriteContext, env: PlacedTurnEnvelope, fields: TimelineFields = {}): Promise<unknown> {
  const detail = fields.detail && Object.keys(fields.detail).length > 0 ? JSON.stringify(fields.detail) : null;
  return ctx.run(TIMELINE, [
    env.turnId,
    env.seq,
    env.workspaceSeq,
    env.event.type,
    fields.itemId ?? null,
    fields.attempt ?? null,
    fields.status ?? null,
    detail,
    env.at,
  ]);
}

export function addStatusChange(ctx: WriteContext, env: PlacedTurnEnvelope, from: string | null, to: string, reason: string | null): Promise<unknown> {
  return ctx.run(STATUS_CHANGE, [env.turnId, env.seq, from, to, reason, env.at]);
}

/** Records that the turn has seen this event: `last_seq` is how a rebuild check proves nothing was skipped. */
export function bumpTurn(ctx: WriteContext, env: PlacedTurnEnvelope): Promise<unknown> {
  return ctx.run(BUMP, [env.seq, env.at, env.turnId]);
}

/** Drops keys whose value is undefined, so timeline details stay small and stable. */
export function compact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}
