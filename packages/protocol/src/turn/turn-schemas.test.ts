import { describe, expect, it } from '@jest/globals';
import { checkValue } from '../common/check-value.js';
import { METHODS, isMethodName } from '../methods/registry.js';
import { TURN_EVENT_TYPES, TurnEventPayload, isTurnEventType } from './turn-event-payload.js';
import { EVENT_BATCH_MAX, ThreadHistoryParams, TurnEventAppendParams, TurnEventAppendResult } from './turn-methods.js';

const examples: Record<string, unknown> = {
  'turn.started': { type: 'turn.started', input: [{ type: 'text', text: 'hi' }, { type: 'attachment', attachment_id: 'att_1' }] },
  'item.started': { type: 'item.started', item_id: 'i1', item_type: 'command', attempt: 1, timeout_ms: 1000 },
  'item.updated': { type: 'item.updated', item_id: 'i1', payload: { command: 'ls' } },
  'item.agent_message.delta': { type: 'item.agent_message.delta', item_id: 'i1', delta: 'Hel' },
  'item.completed': { type: 'item.completed', item_id: 'i1', status: 'failed', reason: 'repaired_after_crash', repair: { kind: 'k' } },
  'item.timeout_detected': { type: 'item.timeout_detected', item_id: 'i1' },
  'recovery.opened': { type: 'recovery.opened', recovery_id: 'r1', item_id: 'i1', reason: 'timeout' },
  'retry.scheduled': { type: 'retry.scheduled', item_id: 'i1', attempt: 2, due_at: '2025-01-01T00:00:00.000Z' },
  'retry.attempt_started': { type: 'retry.attempt_started', item_id: 'i1', attempt: 2 },
  'recovery.succeeded': { type: 'recovery.succeeded', recovery_id: 'r1' },
  'recovery.exhausted': { type: 'recovery.exhausted', recovery_id: 'r1', reason: 'too many' },
  'turn.tool_loop.budget_exhausted': { type: 'turn.tool_loop.budget_exhausted', budget: 10, used: 10 },
  'turn.completed': { type: 'turn.completed', usage: { input_tokens: 3 } },
  'turn.failed': { type: 'turn.failed', error: { code: 'provider_error', message: 'boom' } },
  'turn.cancelled': { type: 'turn.cancelled' },
};

describe('TurnEventPayload', () => {
  it('accepts one example of every event type', () => {
    expect(Object.keys(examples).sort()).toEqual([...TURN_EVENT_TYPES].sort());
    for (const [type, value] of Object.entries(examples)) {
      expect({ type, ok: checkValue(TurnEventPayload, value).ok }).toEqual({ type, ok: true });
      expect(isTurnEventType(type)).toBe(true);
    }
  });

  it('refuses unknown types, unknown fields and impossible values', () => {
    expect(checkValue(TurnEventPayload, { type: 'turn.exploded' }).ok).toBe(false);
    expect(checkValue(TurnEventPayload, { ...(examples['turn.cancelled'] as object), extra: 1 }).ok).toBe(false);
    expect(checkValue(TurnEventPayload, { type: 'turn.started', input: [] }).ok).toBe(false);
    expect(checkValue(TurnEventPayload, { type: 'item.completed', item_id: 'i1', status: 'in_progress' }).ok).toBe(false);
    expect(checkValue(TurnEventPayload, { type: 'item.started', item_id: 'a/b', item_type: 'command' }).ok).toBe(false);
    expect(checkValue(TurnEventPayload, { type: 'item.started', item_id: 'i', item_type: 'telepathy' }).ok).toBe(false);
    expect(isTurnEventType('turn.exploded')).toBe(false);
  });

  it('wraps events in turn/event/append params that require an idempotency key', () => {
    const entry = { thread_id: 't', turn_id: 'u', event: examples['turn.completed'] };
    const params = (...events: object[]) => ({ workspace_id: 'w', events });
    expect(checkValue(TurnEventAppendParams, params(entry)).ok).toBe(false);
    expect(checkValue(TurnEventAppendParams, params({ ...entry, idempotency_key: 'k-1' })).ok).toBe(true);
    expect(checkValue(TurnEventAppendParams, params({ ...entry, idempotency_key: 'has space' })).ok).toBe(false);
  });

  it('takes a batch of 1..256 events of one workspace, each with its own key', () => {
    const entry = (i: number) => ({ thread_id: 't', turn_id: `u${i % 3}`, idempotency_key: `k-${i}`, event: examples['item.agent_message.delta'] });
    const batch = (n: number) => ({ workspace_id: 'w', events: Array.from({ length: n }, (_, i) => entry(i)) });
    expect(EVENT_BATCH_MAX).toBe(256);
    expect(checkValue(TurnEventAppendParams, batch(1)).ok).toBe(true);
    expect(checkValue(TurnEventAppendParams, batch(EVENT_BATCH_MAX)).ok).toBe(true);
    expect(checkValue(TurnEventAppendParams, batch(0)).ok).toBe(false);
    expect(checkValue(TurnEventAppendParams, batch(EVENT_BATCH_MAX + 1)).ok).toBe(false);
    // The workspace is the batch's, never an entry's: one batch cannot span workspaces.
    expect(checkValue(TurnEventAppendParams, { workspace_id: 'w', events: [{ ...entry(0), workspace_id: 'other' }] }).ok).toBe(false);
    const one = { position: 1, seq: 1, outcome: 'applied', duplicate: false };
    expect(checkValue(TurnEventAppendResult, { results: [one, { position: null, seq: null, outcome: 'noop_already_started', duplicate: false }] }).ok).toBe(true);
  });

  it('registers the turn methods of PROTOCOL.md', () => {
    for (const name of ['turn/start', 'turn/cancel', 'turn/get', 'turn/items', 'turn/timeline', 'turn/event/append', 'thread/history', 'thread/search']) {
      expect(isMethodName(name)).toBe(true);
    }
    expect(METHODS['thread/history'].params).toBe(ThreadHistoryParams);
  });
});
