import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TurnEventPayload } from '@cairn/protocol';
import { createEventLog } from '../event-log/create-event-log.js';
import { violation } from '../event-log/decision.js';
import type { Projector } from '../event-log/types.js';
import { TURN_TABLES } from '../turns/turn-projector.js';
import { rebuildReadModels } from './rebuild-read-models.js';
import { THREAD, WS, openTurnFixture, type TurnFixture } from '../turns/testing/turn-fixture.js';

const ORDER: Record<string, string> = {
  turn: 'turn_id',
  turn_input: 'turn_id, ordinal',
  turn_status_change: 'turn_id, seq',
  turn_item: 'turn_id, item_id',
  turn_item_attempt: 'turn_id, item_id, attempt',
  turn_timeline_entry: 'turn_id, seq',
  turn_search: 'turn_id, item_id, body',
};

/** Every table of every projector of the event log (turn read models, search, turn records, recovery jobs). */
async function readModels(fx: TurnFixture): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of fx.projectors.flatMap((p) => p.tables)) out[table] = await fx.rows(table, ORDER[table] ?? 'rowid');
  return out;
}

/** A history that touches every event type and every branch that writes. */
async function writeHistory(fx: TurnFixture): Promise<void> {
  await fx.store.threads.start({ workspace_id: WS, thread_id: 't2' });
  const events: Array<[string, TurnEventPayload]> = [
    ['u1', { type: 'turn.started', input: [{ type: 'text', text: 'first' }, { type: 'attachment', attachment_id: 'a1' }], sandbox_policy: { mode: 'full_access', writable_roots: [], network_access: true } }],
    ['u1', { type: 'item.started', item_id: 'm1', item_type: 'agent_message' }],
    ['u1', { type: 'item.agent_message.delta', item_id: 'm1', delta: 'Hello ' }],
    ['u1', { type: 'item.agent_message.delta', item_id: 'm1', delta: 'world' }],
    ['u1', { type: 'item.completed', item_id: 'm1', status: 'completed' }],
    ['u1', { type: 'item.started', item_id: 'c1', item_type: 'command', payload: { command: 'make' }, timeout_ms: 50 }],
    ['u1', { type: 'item.updated', item_id: 'c1', payload: { command: 'make', output: 'ok', token: 'sk-abcdefghijklmnopqrstuvwx' } }],
    ['u1', { type: 'item.timeout_detected', item_id: 'c1', timeout_ms: 50 }],
    ['u1', { type: 'recovery.opened', recovery_id: 'r1', item_id: 'c1', reason: 'timeout' }],
    ['u1', { type: 'retry.scheduled', recovery_id: 'r1', item_id: 'c1', attempt: 2, due_at: '2025-01-01T00:00:09.000Z' }],
    ['u1', { type: 'retry.attempt_started', recovery_id: 'r1', item_id: 'c1', attempt: 2 }],
    ['u1', { type: 'item.completed', item_id: 'c1', status: 'completed', payload: { command: 'make', exit_code: 0 } }],
    ['u1', { type: 'recovery.succeeded', recovery_id: 'r1' }],
    ['u1', { type: 'turn.tool_loop.budget_exhausted', budget: 5, used: 5 }],
    ['u1', { type: 'turn.completed', usage: { input_tokens: 3 } }],
    ['u2', { type: 'turn.started', input: [{ type: 'text', text: 'second' }] }],
    ['u2', { type: 'item.started', item_id: 'w1', item_type: 'web_search', payload: { query: 'sqlite fts5' } }],
    ['u2', { type: 'recovery.opened', recovery_id: 'r2', reason: 'rate_limited' }],
    ['u2', { type: 'recovery.exhausted', recovery_id: 'r2', reason: 'gave up' }],
    ['u2', { type: 'turn.failed', error: { code: 'provider_error', message: 'no' } }],
    ['u3', { type: 'turn.started', input: [{ type: 'text', text: 'third' }] }],
    ['u3', { type: 'item.started', item_id: 'f1', item_type: 'file_change' }],
    ['u3', { type: 'turn.cancelled', reason: 'user' }],
    ['u4', { type: 'turn.started', input: [{ type: 'text', text: 'still running' }] }],
    ['u4', { type: 'item.started', item_id: 'r1', item_type: 'reasoning' }],
    ['u4', { type: 'item.agent_message.delta', item_id: 'r1', delta: 'thinking' }],
  ];
  for (const [turn, event] of events) await fx.append(turn, event, { threadId: turn === 'u2' ? 't2' : THREAD });
}

describe('rebuilding the turn read models from the journal', () => {
  let fx: TurnFixture;
  beforeEach(async () => {
    fx = await openTurnFixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('empties them and re-projects every event: the rebuilt tables equal the originals row for row', async () => {
    await writeHistory(fx);
    const before = await readModels(fx);
    const thread = await fx.store.threads.get({ workspace_id: WS, thread_id: THREAD });
    expect(before.turn).toHaveLength(4);
    expect(before.turn_item_attempt).toHaveLength(6);

    const report = await fx.repair.rebuild();
    // Every event applies again (the turn records follow some of them too, with their own no-ops); no violation.
    // 26 turn events and the two threads' thread.started, which no projector handles.
    expect(report).toMatchObject({ events: 28, violations: [] });
    expect(report.outcomes.applied).toBeGreaterThanOrEqual(26);
    expect(report.outcomes.invariant_violation).toBeUndefined();
    expect(report.tables).toEqual(expect.arrayContaining([...TURN_TABLES, 'turn_search', 'recovery_job']));
    expect(before.recovery_job).toHaveLength(2);
    expect(await readModels(fx)).toEqual(before);
    // Thread rows are not turn read models: a rebuild leaves them as they are.
    expect(await fx.store.threads.get({ workspace_id: WS, thread_id: THREAD })).toEqual(thread);
  });

  it('really rebuilds (tables emptied by hand come back)', async () => {
    await writeHistory(fx);
    const before = await readModels(fx);
    await fx.store.context.write(async (ctx) => {
      for (const table of fx.projectors.flatMap((p) => p.tables)) await ctx.run(`DELETE FROM ${table}`);
    });
    expect((await readModels(fx)).turn).toEqual([]);
    await fx.repair.rebuild();
    expect(await readModels(fx)).toEqual(before);
  });

  it('reports events a projector refuses on replay instead of stopping', async () => {
    await writeHistory(fx);
    // A projector whose rules changed: it now refuses every delta.
    const strict: Projector = {
      name: 'strict',
      tables: [],
      canHandle: ['item.agent_message.delta'],
      decide: async () => violation('deltas are forbidden now'),
    };
    // One more registration on the turn stream, beside the store's own.
    const { log } = fx.store.events;
    const stricter = createEventLog({ journal: log.journal, streams: [...log.streams, { streamType: 'turn', projectors: [strict] }] });
    const report = await fx.store.context.write((ctx) => rebuildReadModels(ctx, stricter));
    expect(report.violations).toHaveLength(3);
    expect(report.violations[0]).toMatchObject({ projector: 'strict', type: 'item.agent_message.delta', reason: 'deltas are forbidden now' });
  });
});
