import type { TurnEventOf } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { addStatusChange, addTimeline, bumpTurn, compact } from './turn-writes.js';
import { findActiveTurn, isRefusal, type TurnState } from './turn-state.js';
import { NOOP_DUPLICATE_TERMINAL, NOOP_ALREADY_STARTED, NOOP_ALREADY_TERMINAL, applied, violation } from '../../event-log/decision.js';
import type { Handler, PlacedTurnEnvelope } from './types.js';

const RECOVERY_ENTRIES = `SELECT type, detail FROM turn_timeline_entry WHERE turn_id = ? AND type IN ('recovery.opened', 'recovery.succeeded', 'recovery.exhausted')`;
const SET_RECOVERIES = 'UPDATE turn SET open_recoveries = ?, status = ?, last_seq = ?, updated_at = ? WHERE turn_id = ?';
const ITEM_EXISTS = 'SELECT 1 AS found FROM turn_item WHERE turn_id = ? AND item_id = ?';

type RecoveryState = 'none' | 'open' | 'succeeded' | 'exhausted';

/**
 * Where a recovery stands, read back from the turn's timeline (recoveries are few per turn,
 * and the timeline already holds every recovery event, so no extra table is needed).
 */
async function recoveryState(ctx: WriteContext, turnId: string, recoveryId: string): Promise<RecoveryState> {
  let state: RecoveryState = 'none';
  for (const row of await ctx.all<{ type: string; detail: string | null }>(RECOVERY_ENTRIES, [turnId])) {
    const detail = row.detail === null ? {} : (JSON.parse(row.detail) as { recovery_id?: string });
    if (detail.recovery_id !== recoveryId) continue;
    state = row.type === 'recovery.opened' ? 'open' : row.type === 'recovery.succeeded' ? 'succeeded' : 'exhausted';
  }
  return state;
}

/** Moves the open-recovery count, and the status between `running` and `recovering` with it. */
async function setRecoveries(ctx: WriteContext, env: PlacedTurnEnvelope, turn: TurnState, count: number): Promise<void> {
  const status = count > 0 ? 'recovering' : 'running';
  await ctx.run(SET_RECOVERIES, [count, status, env.seq, env.at, env.turnId]);
  if (status !== turn.status) await addStatusChange(ctx, env, turn.status, status, env.event.type);
}

/** `recovery.opened`: the turn is `recovering` while any recovery is open. Opening one twice is a no-op. */
export const projectRecoveryOpened: Handler<TurnEventOf<'recovery.opened'>> = async (ctx, env) => {
  const turn = await findActiveTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  const { event } = env;
  const state = await recoveryState(ctx, env.turnId, event.recovery_id);
  if (state === 'open') return NOOP_ALREADY_STARTED;
  if (state !== 'none') return NOOP_ALREADY_TERMINAL;
  if (event.item_id !== undefined && !(await ctx.get(ITEM_EXISTS, [env.turnId, event.item_id]))) {
    return violation(`recovery.opened for unknown item ${event.item_id}`);
  }
  return applied(async (env) => {
    await setRecoveries(ctx, env, turn, turn.open_recoveries + 1);
    await addTimeline(ctx, env, {
      itemId: event.item_id ?? null,
      status: 'open',
      detail: compact({ recovery_id: event.recovery_id, reason: event.reason, due_at: event.due_at }),
    });
  });
};

/** `recovery.succeeded` / `recovery.exhausted`: closes an open recovery; closing it again is a no-op. */
export const projectRecoveryClosed: Handler<TurnEventOf<'recovery.succeeded' | 'recovery.exhausted'>> = async (ctx, env) => {
  const turn = await findActiveTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  const { event } = env;
  const closedAs = event.type === 'recovery.succeeded' ? 'succeeded' : 'exhausted';
  const state = await recoveryState(ctx, env.turnId, event.recovery_id);
  if (state === 'none') return violation(`${event.type} for unknown recovery ${event.recovery_id}`);
  if (state !== 'open') return state === closedAs ? NOOP_DUPLICATE_TERMINAL : NOOP_ALREADY_TERMINAL;
  const reason = event.type === 'recovery.exhausted' ? event.reason : undefined;
  return applied(async (env) => {
    await setRecoveries(ctx, env, turn, Math.max(0, turn.open_recoveries - 1));
    await addTimeline(ctx, env, { status: closedAs, detail: compact({ recovery_id: event.recovery_id, reason }) });
  });
};

/** `turn.tool_loop.budget_exhausted`: a timeline fact; the turn's end follows as its own event. */
export const projectBudgetExhausted: Handler<TurnEventOf<'turn.tool_loop.budget_exhausted'>> = async (ctx, env) => {
  const turn = await findActiveTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  return applied(async (env) => {
    await bumpTurn(ctx, env);
    await addTimeline(ctx, env, { detail: { budget: env.event.budget, used: env.event.used } });
  });
};
