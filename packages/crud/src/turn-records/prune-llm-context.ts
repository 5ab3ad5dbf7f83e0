import { PruneLlmContextParams, TURN_RECORD_LIMITS, type PruneLlmContextResult } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { TurnRecordsDeps } from './turn-records-deps.js';
import { normalizeTimestamp } from './record-values.js';

/**
 * Due rows, oldest end first. Three guards, each enough on its own to keep a context that a
 * recovery may still need: the turn is stamped terminal, the turn read model agrees that it
 * is terminal, and no recovery job of the turn is open.
 */
const DUE = `c.turn_terminal_at IS NOT NULL AND c.turn_terminal_at <= ?
    AND EXISTS (SELECT 1 FROM turn t WHERE t.turn_id = c.turn_id AND t.status IN ('completed', 'failed', 'cancelled'))
    AND NOT EXISTS (SELECT 1 FROM recovery_job j WHERE j.turn_id = c.turn_id AND j.status IN ('pending', 'claimed'))`;
const SELECT_DUE = `SELECT c.turn_id, c.workspace_id FROM turn_llm_context c WHERE ${DUE} ORDER BY c.turn_terminal_at, c.turn_id LIMIT ?`;
/** The guards again, under the victims' workspace locks: what a concurrent append did before them counts. */
const DELETE_DUE = `DELETE FROM turn_llm_context WHERE turn_id = ? AND EXISTS (SELECT 1 FROM turn_llm_context c WHERE c.turn_id = ? AND ${DUE})`;

/**
 * The maintenance pass: deletes at most `batch_size` retained contexts whose turn ended more
 * than `ttl_ms` ago (default 7 days). It runs on the storage's low-priority path (`tryWrite`), so it
 * never makes a foreground write wait: when any writer is queued or another process holds
 * the lock it does nothing and answers `busy: true, more: true`. Call it again while `more`.
 */
export async function pruneLlmContext(deps: TurnRecordsDeps, params: PruneLlmContextParams = {}): Promise<PruneLlmContextResult> {
  const p = parseParams(PruneLlmContextParams, params, 'turnRecords.pruneLlmContext');
  const ttl = p.ttl_ms ?? TURN_RECORD_LIMITS.llmContextTtlDefaultMs;
  const batch = p.batch_size ?? TURN_RECORD_LIMITS.pruneBatchDefault;
  const now = p.now === undefined ? deps.context.now() : normalizeTimestamp(p.now, 'now');
  const cutoff = new Date(Date.parse(now) - ttl).toISOString();
  const result = await deps.context.tryWrite(async (ctx) => {
    const due = await ctx.all<{ turn_id: string; workspace_id: string }>(SELECT_DUE, [cutoff, batch + 1]);
    const victims = due.slice(0, batch);
    // Tried, not waited for (`tryWrite`): a workspace another writer holds makes this round `busy`.
    for (const workspaceId of [...new Set(victims.map((v) => v.workspace_id))].sort()) await ctx.dialect.lockWorkspace(ctx, workspaceId);
    let pruned = 0;
    for (const { turn_id } of victims) pruned += (await ctx.run(DELETE_DUE, [turn_id, turn_id, cutoff])).changes;
    return { pruned, more: due.length > batch };
  });
  return result.ok ? { ...result.value, busy: false } : { pruned: 0, more: true, busy: true };
}
