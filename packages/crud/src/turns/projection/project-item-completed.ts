import type { TurnEventOf } from '@cairn/protocol';
import { closeAttempts, closeItem, hasRunningAttempts } from './close-item.js';
import { addTimeline, bumpTurn, compact } from './turn-writes.js';
import { findOwnTurn, isRefusal, isTerminalItem, isTerminalTurn, loadItem } from './turn-state.js';
import { NOOP_DUPLICATE_TERMINAL, NOOP_ALREADY_TERMINAL, applied, violation } from '../../event-log/decision.js';
import type { Handler } from './types.js';

type Completed = TurnEventOf<'item.completed'>;

/**
 * `item.completed`: ends an open item (and its running attempt). Completing an unknown item
 * is a violation; completing it again is `noop_duplicate_terminal` (same status) or
 * `noop_already_terminal` (another status). Only a repair event (`repair` set) may touch a
 * finished turn, and only to close what was left open: an open item, or running attempts of
 * an item that already ended.
 */
export const projectItemCompleted: Handler<Completed> = async (ctx, env, deps) => {
  const turn = await findOwnTurn(ctx, env);
  if (isRefusal(turn)) return turn;
  const { event } = env;
  const repair = event.repair !== undefined;
  if (isTerminalTurn(turn.status) && !repair) return violation(`item.completed after the turn ended (${turn.status})`);
  const item = await loadItem(ctx, env.turnId, event.item_id);
  if (!item) return violation(`item.completed for unknown item ${event.item_id}`);
  const detail = compact({ reason: event.reason, error: event.error, repair: event.repair?.kind });

  if (isTerminalItem(item.status)) {
    if (repair && await hasRunningAttempts(ctx, env.turnId, item.item_id)) {
      return applied(async (env) => {
        await closeAttempts(ctx, env, item.item_id, item.status, event.reason ?? null);
        await bumpTurn(ctx, env);
        await addTimeline(ctx, env, { itemId: item.item_id, attempt: item.attempt, status: item.status, detail });
      });
    }
    return item.status === event.status ? NOOP_DUPLICATE_TERMINAL : NOOP_ALREADY_TERMINAL;
  }
  return applied(async (env) => {
    await closeItem(ctx, env, deps, item, { ...event, heldRelease: event.held_release });
    await bumpTurn(ctx, env);
    await addTimeline(ctx, env, { itemId: item.item_id, attempt: item.attempt, status: event.status, detail });
  });
};
