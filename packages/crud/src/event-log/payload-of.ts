import { checkValue, type Static, type TSchema } from '@cairn/protocol';
import type { PendingEvent } from '../journal/types.js';
import { violation } from './decision.js';
import type { Refusal } from './types.js';

export type PayloadOf<T extends TSchema> = { ok: true; value: Static<T> } | { ok: false; refusal: Refusal };

/** The event's payload against its schema; an event that fails it is an invariant violation, not bad input (it may be a stored one). */
export function payloadOf<T extends TSchema>(schema: T, event: PendingEvent): PayloadOf<T> {
  const result = checkValue(schema, event.payload);
  if (result.ok) return { ok: true, value: result.value };
  const issue = result.issues[0];
  return { ok: false, refusal: violation(`${event.type} payload: ${issue ? `${issue.path || 'payload'} ${issue.message}` : 'does not match'}`) };
}

/**
 * A turn event's payload against the strict protocol schema. Events journaled before the
 * journal's envelope had a thread (hash v1 rows) carry `thread_id` in the payload: checked
 * without it.
 */
export function turnPayloadOf<T extends TSchema>(schema: T, event: PendingEvent): PayloadOf<T> {
  const payload = event.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payloadOf(schema, event);
  const { thread_id: _threadId, ...rest } = payload as Record<string, unknown>;
  return payloadOf(schema, { ...event, payload: rest });
}
