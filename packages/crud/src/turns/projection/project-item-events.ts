import type { TurnEventOf } from '@cairn/protocol';
import { addTimeline, bumpTurn, compact } from './turn-writes.js';
import { findActiveTurn, isRefusal, isTerminalItem, loadItem, type ItemState, type TurnState } from './turn-state.js';
import { NOOP_DUPLICATE_TERMINAL, NOOP_ALREADY_STARTED, NOOP_ALREADY_TERMINAL, applied, violation } from '../../event-log/decision.js';
import type { Refusal } from '../../event-log/types.js';
import type { Handler, TurnEnvelope } from './types.js';
import type { WriteContext } from '../../port/types.js';

const INSERT_ITEM = `INSERT INTO turn_item (turn_id, item_id, workspace_id, thread_id, ordinal, item_type, status, attempt, text, payload,
  error, reason, timeout_ms, started_at, updated_at, completed_at, timed_out_at, retry_due_at)
  VALUES (?, ?, ?, ?, ?, ?, 'in_progress', ?, NULL, ?, NULL, NULL, ?, ?, ?, NULL, NULL, NULL)`;
const INSERT_ATTEMPT = `INSERT INTO turn_item_attempt (turn_id, item_id, attempt, status, started_at, ended_at, reason) VALUES (?, ?, ?, 'running', ?, NULL, NULL)`;
const COUNT_ITEM = 'UPDATE turn SET item_count = item_count + 1, last_seq = ?, updated_at = ? WHERE turn_id = ?';
const SET_PAYLOAD = 'UPDATE turn_item SET payload = ?, updated_at = ? WHERE turn_id = ? AND item_id = ?';
const APPEND_TEXT = "UPDATE turn_item SET text = coalesce(text, '') || ?, held_sealed = ?, updated_at = ? WHERE turn_id = ? AND item_id = ?";
const SET_HELD = 'UPDATE turn_item SET held_sealed = ?, updated_at = ? WHERE turn_id = ? AND item_id = ?';
const TIME_OUT_ITEM = 'UPDATE turn_item SET timed_out_at = ?, updated_at = ? WHERE turn_id = ? AND item_id = ?';
const TIME_OUT_ATTEMPT = `UPDATE turn_item_attempt SET status = 'timed_out', ended_at = ?, reason = 'timeout_detected'
  WHERE turn_id = ? AND item_id = ? AND attempt = ? AND status = 'running'`;

const TEXT_ITEM_TYPES = new Set(['agent_message', 'reasoning']);

type ItemEvent = TurnEventOf<'item.updated' | 'item.agent_message.delta' | 'item.timeout_detected'>;

/** The active turn and an open item of it, or why the event cannot apply. */
async function openItem(ctx: WriteContext, env: TurnEnvelope<ItemEvent>): Promise<{ turn: TurnState; item: ItemState } | Refusal> {
  const turn = await findActiveTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  const item = await loadItem(ctx, env.turnId, env.event.item_id);
  if (!item) return violation(`${env.event.type} for unknown item ${env.event.item_id}`);
  if (isTerminalItem(item.status)) return violation(`${env.event.type} after item ${env.event.item_id} ended (${item.status})`);
  return { turn, item };
}

/** `item.started`: numbered in start order; attempt 1 unless given. Starting it again is a no-op. */
export const projectItemStarted: Handler<TurnEventOf<'item.started'>> = async (ctx, env) => {
  const turn = await findActiveTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  const { event } = env;
  const existing = await loadItem(ctx, env.turnId, event.item_id);
  if (existing) return isTerminalItem(existing.status) ? NOOP_ALREADY_TERMINAL : NOOP_ALREADY_STARTED;
  const attempt = event.attempt ?? 1;
  return applied(async (env) => {
    const payload = event.payload === undefined ? null : JSON.stringify(event.payload);
    await ctx.run(INSERT_ITEM, [
      env.turnId,
      event.item_id,
      env.workspaceId,
      env.threadId,
      turn.item_count + 1,
      event.item_type,
      attempt,
      payload,
      event.timeout_ms ?? null,
      env.at,
      env.at,
    ]);
    await ctx.run(INSERT_ATTEMPT, [env.turnId, event.item_id, attempt, env.at]);
    await ctx.run(COUNT_ITEM, [env.seq, env.at, env.turnId]);
    await addTimeline(ctx, env, { itemId: event.item_id, attempt, status: 'in_progress', detail: { item_type: event.item_type } });
  });
};

/** `item.updated`: replaces the open item's payload. Not a timeline entry (it streams). */
export const projectItemUpdated: Handler<TurnEventOf<'item.updated'>> = async (ctx, env) => {
  const found = await openItem(ctx, env);
  if ('outcome' in found) return found;
  return applied(async (env) => {
    await ctx.run(SET_PAYLOAD, [JSON.stringify(env.event.payload), env.at, env.turnId, env.event.item_id]);
    await bumpTurn(ctx, env);
  });
};

/**
 * `item.agent_message.delta`: appends the released text to an open message or reasoning item
 * and keeps the sealed held tail, if any, for the next delta (see hold-streamed-text.ts). Not
 * a timeline entry.
 */
export const projectItemDelta: Handler<TurnEventOf<'item.agent_message.delta'>> = async (ctx, env) => {
  const found = await openItem(ctx, env);
  if ('outcome' in found) return found;
  if (!TEXT_ITEM_TYPES.has(found.item.item_type)) return violation(`text delta for ${found.item.item_type} item ${env.event.item_id}`);
  const { delta, held } = env.event;
  return applied(async (env) => {
    if (delta === '') await ctx.run(SET_HELD, [held ?? null, env.at, env.turnId, env.event.item_id]);
    else await ctx.run(APPEND_TEXT, [delta, held ?? null, env.at, env.turnId, env.event.item_id]);
    await bumpTurn(ctx, env);
  });
};

/**
 * `item.timeout_detected`: the current attempt ends as `timed_out`; the item stays open for a
 * retry (or for repair, if none is ever scheduled). A watchdog firing just after the item
 * ended is `noop_already_terminal`; a second detection for the same attempt a duplicate.
 */
export const projectItemTimeout: Handler<TurnEventOf<'item.timeout_detected'>> = async (ctx, env) => {
  const turn = await findActiveTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  const item = await loadItem(ctx, env.turnId, env.event.item_id);
  if (!item) return violation(`item.timeout_detected for unknown item ${env.event.item_id}`);
  if (isTerminalItem(item.status)) return NOOP_ALREADY_TERMINAL;
  if (item.timed_out_at !== null) return NOOP_DUPLICATE_TERMINAL;
  return applied(async (env) => {
    await ctx.run(TIME_OUT_ITEM, [env.at, env.at, env.turnId, item.item_id]);
    await ctx.run(TIME_OUT_ATTEMPT, [env.at, env.turnId, item.item_id, item.attempt]);
    await bumpTurn(ctx, env);
    await addTimeline(ctx, env, {
      itemId: item.item_id,
      attempt: item.attempt,
      status: 'timed_out',
      detail: compact({ timeout_ms: env.event.timeout_ms }),
    });
  });
};
