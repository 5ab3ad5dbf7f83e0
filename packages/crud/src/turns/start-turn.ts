import { TurnStartParams, type TurnStartResult } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendTurnEvents } from './append-turn-events.js';
import { toTurn, type TurnRow, TURN_COLUMNS } from './read/turn-rows.js';
import type { TurnDeps } from './turn-deps.js';

const TURN = `SELECT ${TURN_COLUMNS} FROM turn WHERE turn_id = ?`;

/**
 * `turn/start`: a `turn.started` event through the same path as the runtime's. Starting the
 * same turn id again answers `noop_already_started` with the turn as it is.
 */
export async function startTurn(deps: TurnDeps, params: TurnStartParams): Promise<TurnStartResult> {
  const p = parseParams(TurnStartParams, params, 'turn/start');
  const { context } = deps;
  const turnId = p.turn_id ?? context.newId('turn');
  const event = {
    type: 'turn.started' as const,
    input: p.input,
    ...(p.sandbox_policy ? { sandbox_policy: p.sandbox_policy } : {}),
    ...(p.model ? { model: p.model } : {}),
  };
  return context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const [result] = await appendTurnEvents(ctx, deps.events, p.workspace_id, [{ threadId: p.thread_id, turnId, idempotencyKey: p.idempotency_key, event }]);
    return { ...result!, turn: await toTurn(ctx, (await ctx.get<TurnRow>(TURN, [turnId]))!) };
  });
}
