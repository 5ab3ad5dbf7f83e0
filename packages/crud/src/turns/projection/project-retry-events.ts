import type { TurnEventOf } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { closeAttempts } from './close-item.js';
import { addTimeline, bumpTurn, compact } from './turn-writes.js';
import { findActiveTurn, isRefusal, isTerminalItem, loadItem, type ItemState } from './turn-state.js';
import { NOOP_ALREADY_STARTED, applied, violation } from '../../event-log/decision.js';
import type { Noop, Refusal } from '../../event-log/types.js';
import type { Handler, TurnEnvelope } from './types.js';

const SCHEDULE = 'UPDATE turn_item SET retry_due_at = ?, updated_at = ? WHERE turn_id = ? AND item_id = ?';
const NEXT_ATTEMPT = `UPDATE turn_item SET attempt = ?, timed_out_at = NULL, retry_due_at = NULL, updated_at = ?
  WHERE turn_id = ? AND item_id = ?`;
const INSERT_ATTEMPT = `INSERT INTO turn_item_attempt (turn_id, item_id, attempt, status, started_at, ended_at, reason) VALUES (?, ?, ?, 'running', ?, NULL, NULL)`;

type RetryEvent = TurnEventOf<'retry.scheduled' | 'retry.attempt_started'>;

/**
 * The open item a retry is about, if `attempt` is the next one. An attempt that already
 * started is `noop_already_started`; skipping a number is a violation.
 */
async function retryTarget(ctx: WriteContext, env: TurnEnvelope<RetryEvent>): Promise<ItemState | Refusal | Noop> {
  const turn = await findActiveTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  const { event } = env;
  const item = await loadItem(ctx, env.turnId, event.item_id);
  if (!item) return violation(`${event.type} for unknown item ${event.item_id}`);
  if (isTerminalItem(item.status)) return violation(`${event.type} after item ${event.item_id} ended (${item.status})`);
  if (event.attempt <= item.attempt) return NOOP_ALREADY_STARTED;
  if (event.attempt !== item.attempt + 1) return violation(`${event.type} for attempt ${event.attempt}; the next is ${item.attempt + 1}`);
  return item;
}

/** `retry.scheduled`: the next attempt is due at `due_at`; a still-running attempt ends as failed. */
export const projectRetryScheduled: Handler<TurnEventOf<'retry.scheduled'>> = async (ctx, env) => {
  const item = await retryTarget(ctx, env);
  if ('outcome' in item) return item;
  const { event } = env;
  return applied(async (env) => {
    await ctx.run(SCHEDULE, [event.due_at, env.at, env.turnId, item.item_id]);
    await closeAttempts(ctx, env, item.item_id, 'failed', 'retry_scheduled');
    await bumpTurn(ctx, env);
    await addTimeline(ctx, env, {
      itemId: item.item_id,
      attempt: event.attempt,
      status: 'scheduled',
      detail: compact({ due_at: event.due_at, recovery_id: event.recovery_id, reason: event.reason }),
    });
  });
};

/** `retry.attempt_started`: a new running attempt; the item's timeout and due time reset. */
export const projectRetryAttemptStarted: Handler<TurnEventOf<'retry.attempt_started'>> = async (ctx, env) => {
  const item = await retryTarget(ctx, env);
  if ('outcome' in item) return item;
  const { event } = env;
  return applied(async (env) => {
    await closeAttempts(ctx, env, item.item_id, 'failed', 'superseded');
    await ctx.run(NEXT_ATTEMPT, [event.attempt, env.at, env.turnId, item.item_id]);
    await ctx.run(INSERT_ATTEMPT, [env.turnId, item.item_id, event.attempt, env.at]);
    await bumpTurn(ctx, env);
    await addTimeline(ctx, env, { itemId: item.item_id, attempt: event.attempt, status: 'running', detail: compact({ recovery_id: event.recovery_id }) });
  });
};
