import { NOOP_ALREADY_TERMINAL, applied } from '../event-log/decision.js';
import type { Decision } from '../event-log/types.js';
import type { PendingEvent } from '../journal/types.js';
import type { WriteContext } from '../store/store-context.js';

export const TURN_END_TYPES: readonly string[] = ['turn.completed', 'turn.failed', 'turn.cancelled'];

const UNSTAMPED = 'SELECT count(*) AS n FROM turn_llm_context WHERE turn_id = ? AND turn_terminal_at IS NULL';
const STAMP = 'UPDATE turn_llm_context SET turn_terminal_at = ? WHERE turn_id = ? AND turn_terminal_at IS NULL';

/**
 * A turn ended: its retained LLM context starts its TTL now (the event's time). A turn
 * already stamped (a replay, or repair closing a terminal turn again) is a no-op.
 */
export async function decideTurnEnd(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
  const turnId = event.streamId;
  if (((await ctx.get<{ n: number }>(UNSTAMPED, [turnId]))?.n ?? 0) === 0) return NOOP_ALREADY_TERMINAL;
  return applied(async () => {
    await ctx.run(STAMP, [event.recordedAt, turnId]);
  });
}
