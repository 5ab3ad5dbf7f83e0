import type { TurnEventOf, TurnStatus } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { touchThreadActivity } from '../../thread/touch-thread-activity.js';
import { closeAttempts, closeItem } from './close-item.js';
import { addStatusChange, addTimeline, compact } from './turn-writes.js';
import { findOwnTurn, isRefusal, isTerminalTurn, type ItemState, type TurnState } from './turn-state.js';
import { NOOP_DUPLICATE_TERMINAL, NOOP_ALREADY_TERMINAL, applied, violation } from '../../event-log/decision.js';
import type { Handler, PlacedTurnEnvelope, ProjectionDeps } from './types.js';

type Ended = TurnEventOf<'turn.completed' | 'turn.failed' | 'turn.cancelled'>;

const OPEN_ITEMS = `SELECT item_id, item_type, status, attempt, text, payload, timed_out_at, retry_due_at
  FROM turn_item WHERE turn_id = ? AND status = 'in_progress' ORDER BY ordinal`;
const END_TURN = `UPDATE turn SET status = ?, error = ?, usage = ?, open_recoveries = 0, completed_at = ?, last_seq = ?, updated_at = ?
  WHERE turn_id = ?`;
const SET_COMPLETED_AT = 'UPDATE turn SET completed_at = ?, last_seq = ?, updated_at = ? WHERE turn_id = ?';
const LAST_STATUS_CHANGE = 'SELECT changed_at FROM turn_status_change WHERE turn_id = ? ORDER BY seq DESC LIMIT 1';
const RUNNING_ATTEMPT_ITEMS = "SELECT DISTINCT item_id FROM turn_item_attempt WHERE turn_id = ? AND status = 'running'";

const STATUS_OF: Record<Ended['type'], TurnStatus> = {
  'turn.completed': 'completed',
  'turn.failed': 'failed',
  'turn.cancelled': 'cancelled',
};

/**
 * `turn.completed` / `turn.failed` / `turn.cancelled`. A turn completes only once every item
 * and recovery is closed; failing or cancelling it closes them itself (items end as failed or
 * cancelled, reason `turn_failed` / `turn_cancelled`). Ending it again is
 * `noop_duplicate_terminal` (same end) or `noop_already_terminal` (another end, e.g. a cancel
 * racing the completion). A repair event on an ended turn only fills a missing completion time.
 */
export const projectTurnEnded: Handler<Ended> = async (ctx, env, deps) => {
  const turn = await findOwnTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  const status = STATUS_OF[env.event.type];
  if (isTerminalTurn(turn.status)) {
    if (env.event.repair !== undefined && turn.completed_at === null) return applied((env) => fillCompletedAt(ctx, env, turn));
    return turn.status === status ? NOOP_DUPLICATE_TERMINAL : NOOP_ALREADY_TERMINAL;
  }
  const open = await ctx.all<ItemState>(OPEN_ITEMS, [env.turnId]);
  if (status === 'completed') {
    if (open.length > 0) return violation(`turn.completed with ${open.length} item(s) still in progress (${open[0]!.item_id}, ...)`);
    if (turn.open_recoveries > 0) return violation(`turn.completed with ${turn.open_recoveries} recovery(ies) still open`);
  }
  return applied((env) => endTurn(ctx, env, deps, turn, status, open));
};

async function endTurn(
  ctx: WriteContext,
  env: PlacedTurnEnvelope<Ended>,
  deps: ProjectionDeps,
  turn: TurnState,
  status: TurnStatus,
  open: ItemState[],
): Promise<void> {
  const { event } = env;
  const itemStatus = status === 'cancelled' ? 'cancelled' : 'failed';
  const itemReason = status === 'cancelled' ? 'turn_cancelled' : 'turn_failed';
  for (const item of open) await closeItem(ctx, env, deps, item, { status: itemStatus, reason: itemReason, heldRelease: heldReleaseOf(event.held_releases, item.item_id) });
  // Attempts left running under items that already ended (only ever by a bug or an old build).
  for (const { item_id } of await ctx.all<{ item_id: string }>(RUNNING_ATTEMPT_ITEMS, [env.turnId])) {
    await closeAttempts(ctx, env, item_id, itemStatus, itemReason);
  }
  const error = event.type === 'turn.failed' ? JSON.stringify(event.error) : null;
  const usage = event.type === 'turn.completed' && event.usage ? JSON.stringify(event.usage) : null;
  await ctx.run(END_TURN, [status, error, usage, env.at, env.seq, env.at, env.turnId]);
  const reason = event.type === 'turn.cancelled' ? (event.reason ?? null) : event.type === 'turn.failed' ? event.error.code : null;
  await addStatusChange(ctx, env, turn.status, status, reason);
  await addTimeline(ctx, env, {
    status,
    detail: compact({ reason: reason ?? undefined, closed_items: open.length > 0 ? open.length : undefined, repair: event.repair?.kind }),
  });
  if (deps.touchThreads) await touchThreadActivity(ctx, env.threadId, env.at);
}

/** Repair of a terminal turn without completion time: the time of its last status change, else the repair's own. */
async function fillCompletedAt(ctx: WriteContext, env: PlacedTurnEnvelope<Ended>, turn: TurnState): Promise<void> {
  const at = (await ctx.get<{ changed_at: string }>(LAST_STATUS_CHANGE, [turn.turn_id]))?.changed_at ?? env.at;
  await ctx.run(SET_COMPLETED_AT, [at, env.seq, env.at, env.turnId]);
  await addTimeline(ctx, env, { status: turn.status, detail: { repair: env.event.repair?.kind ?? 'repair', completed_at: at } });
}

/** An item id is client-chosen: `constructor` must not find Object.prototype's. */
function heldReleaseOf(releases: Record<string, string> | undefined, itemId: string): string | undefined {
  return releases !== undefined && Object.hasOwn(releases, itemId) ? releases[itemId] : undefined;
}
