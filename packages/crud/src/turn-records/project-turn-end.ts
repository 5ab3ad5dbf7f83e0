import type { JournalEvent } from '../journal/types.js';
import type { WriteContext } from '../store/store-context.js';
import { ALREADY_TERMINAL, applied, type Decision } from './projection.js';

export const TURN_END_TYPES: readonly string[] = ['turn.completed', 'turn.failed', 'turn.cancelled'];

/**
 * A turn ended: its retained LLM context starts its TTL now (the event's time), and recovery
 * jobs still open can no longer help it, so they close as `abandoned` and no worker claims
 * them. A turn already stamped (a replay, or repair closing a terminal turn again) is a no-op.
 */
export function decideTurnEnd(ctx: WriteContext, event: JournalEvent): Decision {
  const turnId = event.streamId;
  const unstamped = ctx.get<{ n: number }>('SELECT count(*) AS n FROM turn_llm_context WHERE turn_id = ? AND turn_terminal_at IS NULL', [turnId]);
  const open = ctx.get<{ n: number }>(`SELECT count(*) AS n FROM recovery_job WHERE turn_id = ? AND status IN ('pending', 'claimed')`, [turnId]);
  if ((unstamped?.n ?? 0) === 0 && (open?.n ?? 0) === 0) return { outcome: ALREADY_TERMINAL };
  return applied(() => {
    ctx.run('UPDATE turn_llm_context SET turn_terminal_at = ? WHERE turn_id = ? AND turn_terminal_at IS NULL', [event.recordedAt, turnId]);
    ctx.run(
      `UPDATE recovery_job SET status = 'abandoned', ready_at = NULL, claim_expires_at = NULL, closed_at = ?, updated_at = ?
       WHERE turn_id = ? AND status IN ('pending', 'claimed')`,
      [event.recordedAt, event.recordedAt, turnId],
    );
  });
}
