import { TurnCancelParams, type TurnCancelResult } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendTurnEvents } from './append-turn-events.js';
import { requireTurn, toTurn } from './read/turn-rows.js';
import type { TurnDeps } from './turn-deps.js';

/**
 * `turn/cancel`: a `turn.cancelled` event; open items are cancelled with the turn. A turn
 * that already ended answers `noop_already_terminal` (or `noop_duplicate_terminal` if it was
 * cancelled before) with the turn as it is.
 */
export async function cancelTurn(deps: TurnDeps, params: TurnCancelParams): Promise<TurnCancelResult> {
  const p = parseParams(TurnCancelParams, params, 'turn/cancel');
  const { context } = deps;
  return context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireTurn(ctx, p.workspace_id, p.turn_id);
    const [result] = await appendTurnEvents(ctx, deps.events, p.workspace_id, [
      { threadId: row.thread_id, turnId: p.turn_id, idempotencyKey: p.idempotency_key, event: { type: 'turn.cancelled', ...(p.reason ? { reason: p.reason } : {}) } },
    ]);
    return { ...result!, turn: await toTurn(ctx, await requireTurn(ctx, p.workspace_id, p.turn_id)) };
  });
}
