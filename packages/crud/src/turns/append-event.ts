import { CairnError, TURN_LIMITS, TurnEventAppendParams, type TurnEventAppendResult, type TurnEventPayload } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendTurnEvent } from './append-turn-event.js';
import type { TurnDeps } from './turn-deps.js';

/** `turn/event/append`: one runtime event, idempotent by key, journaled and projected in one transaction. */
export async function appendEvent(deps: TurnDeps, params: TurnEventAppendParams): Promise<TurnEventAppendResult> {
  const p = parseParams(TurnEventAppendParams, params, 'turn/event/append');
  assertPayloadSize(p.event);
  const { context, journal } = deps;
  return context.write((ctx) =>
    appendTurnEvent(ctx, journal, deps.projectors(), {
      workspaceId: p.workspace_id,
      threadId: p.thread_id,
      turnId: p.turn_id,
      idempotencyKey: p.idempotency_key,
      event: p.event,
      recordedAt: context.now(),
    }),
  );
}

/** Text fields have their own limits in the schema; this bounds the free-form payload objects. */
export function assertPayloadSize(event: TurnEventPayload): void {
  const payload = (event as { payload?: unknown }).payload;
  if (payload === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (bytes > TURN_LIMITS.payloadBytes) {
    throw new CairnError('payload_too_large', `event payload is ${bytes} bytes; the limit is ${TURN_LIMITS.payloadBytes}`, {
      details: { bytes, limit: TURN_LIMITS.payloadBytes },
    });
  }
}
