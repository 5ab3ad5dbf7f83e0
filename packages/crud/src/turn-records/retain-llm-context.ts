import {
  CairnError,
  RetainLlmContextParams,
  TURN_RECORD_EVENT_TYPES,
  TURN_RECORD_LIMITS,
  TurnRecordRefParams,
  type LlmContextBody,
  type LlmContextRetainedPayload,
  type RetainLlmContextResult,
  type TurnLlmContext,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendRecordEvent, type TurnRecordsDeps } from './turn-records-deps.js';
import { findLlmContext, findLlmContextInfo, toLlmContext, toLlmContextInfo, upsertLlmContext } from './llm-context-rows.js';
import { sealJson } from './record-values.js';
import { isTerminalTurn, requireTurn, requireTurnInWorkspace } from './turn-ref.js';

/**
 * Keeps the turn's latest LLM context for crash recovery. The body is redacted (the journal's
 * redactor), canonicalised and stored ONCE, in `turn_llm_context`; the
 * `turn.llm_context.retained` event appended in the same transaction carries only its
 * revision, SHA-256 and size, so large contexts do not bloat the journal and the stored body
 * can still be proven against it. Revisions only move forward.
 */
export async function retainLlmContext(deps: TurnRecordsDeps, params: RetainLlmContextParams): Promise<RetainLlmContextResult> {
  const p = parseParams(RetainLlmContextParams, params, 'turnRecords.retainLlmContext');
  const sealed = sealJson<LlmContextBody>(deps.events.journal.redact, p.context);
  if (sealed.sizeBytes > TURN_RECORD_LIMITS.llmContextMaxBytes) {
    throw new CairnError('payload_too_large', 'the LLM context is larger than the limit', {
      details: { size_bytes: sealed.sizeBytes, limit: TURN_RECORD_LIMITS.llmContextMaxBytes },
    });
  }
  const type = TURN_RECORD_EVENT_TYPES.llmContextRetained;
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const turn = await requireTurn(ctx, p.workspace_id, p.thread_id, p.turn_id);
    const existing = await findLlmContextInfo(ctx, p.turn_id);
    if (existing && existing.revision > p.revision) return { info: toLlmContextInfo(existing), outcome: 'noop_stale_revision' as const };
    if (existing && existing.revision === p.revision) {
      if (existing.sha256 === sealed.sha256) return { info: toLlmContextInfo(existing), outcome: 'noop_same_revision' as const };
      throw new CairnError('conflict', 'this revision of the LLM context was retained with other content', {
        details: { turn_id: p.turn_id, revision: p.revision },
      });
    }
    const now = deps.context.now();
    const payload: LlmContextRetainedPayload = {
      type,
      turn_id: p.turn_id,
      thread_id: p.thread_id,
      revision: p.revision,
      sha256: sealed.sha256,
      size_bytes: sealed.sizeBytes,
      message_count: sealed.value.messages.length,
    };
    const event = await appendRecordEvent(ctx, deps.events, p.workspace_id, p.turn_id, payload, now);
    // A context retained after the turn ended (a late flush) starts its TTL from the turn's end.
    const terminalAt = existing?.turn_terminal_at ?? (isTerminalTurn(turn) ? (turn.completed_at ?? now) : null);
    const row = {
      turn_id: p.turn_id,
      workspace_id: p.workspace_id,
      thread_id: p.thread_id,
      revision: p.revision,
      content: sealed.json,
      sha256: sealed.sha256,
      size_bytes: sealed.sizeBytes,
      message_count: payload.message_count,
      retained_at: now,
      turn_terminal_at: terminalAt,
      event_position: event.position,
    };
    await upsertLlmContext(ctx, row, existing !== undefined);
    return { info: toLlmContextInfo(row), outcome: 'retained' as const };
  });
}

/** The retained context with its body; `not_found` when never retained, pruned, or the turn is unknown here. */
export async function getLlmContext(deps: TurnRecordsDeps, params: TurnRecordRefParams): Promise<TurnLlmContext> {
  const p = parseParams(TurnRecordRefParams, params, 'turnRecords.getLlmContext');
  return deps.context.read(async (q) => {
    await requireTurnInWorkspace(q, p.workspace_id, p.turn_id);
    const row = await findLlmContext(q, p.turn_id);
    if (!row) throw new CairnError('not_found', 'no LLM context is retained for the turn', { details: { turn_id: p.turn_id } });
    return toLlmContext(row);
  });
}
