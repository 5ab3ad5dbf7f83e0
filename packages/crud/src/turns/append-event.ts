import {
  CairnError,
  TURN_LIMITS,
  TurnEventAppendParams,
  type TurnEventAppendEntryResult,
  type TurnEventAppendResult,
  type TurnEventEntry,
  type TurnEventPayload,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendTurnEvents } from './append-turn-events.js';
import type { TurnDeps } from './turn-deps.js';

/** The single-event form of `turn/event/append`: a batch of one. */
export type TurnEventAppendOneParams = TurnEventEntry & { workspace_id: string };

/**
 * `turn/event/append`: 1..256 runtime events of one workspace, each idempotent by its key,
 * journaled and projected in ONE transaction, all or nothing; a refused event fails the batch
 * (`details.index`). A runtime flushing its deltas every few milliseconds pays for one commit.
 */
export async function appendEvents(deps: TurnDeps, params: TurnEventAppendParams): Promise<TurnEventAppendResult> {
  const p = parseParams(TurnEventAppendParams, params, 'turn/event/append');
  p.events.forEach((entry, index) => assertPayloadSize(entry.event, index));
  const inputs = p.events.map((e) => ({ threadId: e.thread_id, turnId: e.turn_id, idempotencyKey: e.idempotency_key, event: e.event }));
  const results = await deps.context.write((ctx) => appendTurnEvents(ctx, deps.events, p.workspace_id, inputs));
  return { results };
}

/** One event: the batch of one it is. Unknown fields land in the entry, whose schema refuses them. */
export async function appendEvent(deps: TurnDeps, params: TurnEventAppendOneParams): Promise<TurnEventAppendEntryResult> {
  const { workspace_id, ...entry } = params;
  const { results } = await appendEvents(deps, { workspace_id, events: [entry] });
  return results[0]!;
}

/** Text fields have their own limits in the schema; this bounds the free-form payload objects. */
export function assertPayloadSize(event: TurnEventPayload, index = 0): void {
  const payload = (event as { payload?: unknown }).payload;
  if (payload === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (bytes > TURN_LIMITS.payloadBytes) {
    throw new CairnError('payload_too_large', `event payload is ${bytes} bytes; the limit is ${TURN_LIMITS.payloadBytes}`, {
      details: { index, bytes, limit: TURN_LIMITS.payloadBytes },
    });
  }
}
