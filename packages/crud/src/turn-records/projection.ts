import { checkValue, type TSchema, type Static } from '@cairn/protocol';
import type { ProjectionOutcome } from '../journal/projector.js';
import type { JournalEvent } from '../journal/types.js';
import type { WriteContext } from '../store/store-context.js';

/**
 * What one handler decided about one event: the outcome, and the writes that realise it
 * when the outcome is `applied`. `check` looks at the decision only; `apply` also writes.
 */
export interface Decision {
  outcome: ProjectionOutcome;
  write?: () => void;
}

export type Handler = (ctx: WriteContext, event: JournalEvent) => Decision;

export const APPLIED = { outcome: 'applied' } as const satisfies ProjectionOutcome;
/** The record this event creates already exists with the same content: a replay. */
export const ALREADY_RECORDED = { outcome: 'noop_already_started' } as const satisfies ProjectionOutcome;
/** The record is closed (a job closed, a turn's context already stamped terminal). */
export const ALREADY_TERMINAL = { outcome: 'noop_already_terminal' } as const satisfies ProjectionOutcome;

export function violation(reason: string): Decision {
  return { outcome: { outcome: 'invariant_violation', reason } };
}

export function applied(write: () => void): Decision {
  return { outcome: APPLIED, write };
}

/** The event's payload against its schema; a stored event that fails it is an invariant violation, not bad input. */
export function payloadOf<T extends TSchema>(schema: T, event: JournalEvent): { ok: true; value: Static<T> } | { ok: false; decision: Decision } {
  const result = checkValue(schema, event.payload);
  if (result.ok) return { ok: true, value: result.value };
  const issue = result.issues[0];
  return { ok: false, decision: violation(`${event.type} payload: ${issue ? `${issue.path || 'payload'} ${issue.message}` : 'does not match'}`) };
}

/**
 * A turn event as the turn write path journals it: the protocol's `TurnEventPayload` plus
 * `thread_id`. The strict protocol schema is checked without that envelope field.
 */
export function turnPayloadOf<T extends TSchema>(schema: T, event: JournalEvent): { ok: true; value: Static<T> } | { ok: false; decision: Decision } {
  const payload = event.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payloadOf(schema, event);
  const { thread_id: _threadId, ...rest } = payload as Record<string, unknown>;
  return payloadOf(schema, { ...event, payload: rest });
}
