import { commitCount } from '../testing/temp-store.js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TurnEventEntry, TurnEventPayload } from '@cairn/protocol';
import { expectCode } from '../testing/expect-error.js';
import { THREAD, WS, openTurnFixture, text, type TurnFixture } from './testing/turn-fixture.js';

const SENTENCE = 'The agent read three files and found the failing assertion. ';

/** One agent step: a message streamed in deltas, then its completion. */
function step(turnId: string, itemId: string, from = 0): TurnEventEntry[] {
  const entry = (n: number, event: TurnEventPayload): TurnEventEntry => ({ thread_id: THREAD, turn_id: turnId, idempotency_key: `${turnId}:${itemId}:${from + n}`, event });
  return [
    entry(0, { type: 'item.started', item_id: itemId, item_type: 'agent_message' }),
    ...Array.from({ length: 6 }, (_, d) => entry(d + 1, { type: 'item.agent_message.delta', item_id: itemId, delta: SENTENCE })),
    entry(7, { type: 'item.completed', item_id: itemId, status: 'completed' }),
  ];
}

describe('turn/event/append batches', () => {
  let fx: TurnFixture;
  beforeEach(async () => {
    fx = await openTurnFixture();
    await fx.append('u1', text('go'));
  });
  afterEach(async () => fx.cleanup());

  /** Every row a batch could touch: the journal, the turn read models and the search index. */
  const snapshot = async () => JSON.stringify(await Promise.all(['journal_event', 'turn', 'turn_item', 'turn_item_attempt', 'turn_timeline_entry', 'turn_search'].map((t) => fx.rows(t))));

  it('commits an agent step of 8 events in one transaction, one result per event, in order', async () => {
    const commits = commitCount(fx.store);
    const { results } = await fx.turns.appendEvents({ workspace_id: WS, events: step('u1', 'm1') });
    expect(commitCount(fx.store)).toBe(commits + 1);
    expect(results).toHaveLength(8);
    expect(results.map((r) => [r.position, r.seq, r.outcome, r.duplicate])).toEqual(Array.from({ length: 8 }, (_, i) => [i + 3, i + 3, 'applied', false])); // 1: thread.started, 2: turn.started
    const items = await fx.turns.items({ workspace_id: WS, turn_id: 'u1' });
    expect(items.items).toMatchObject([{ item_id: 'm1', status: 'completed', text: SENTENCE.repeat(6) }]);
    expect((await fx.turns.get({ workspace_id: WS, turn_id: 'u1' })).turn.last_seq).toBe(9);
  });

  it('retried after a lost answer, answers the first results and writes nothing', async () => {
    const events = step('u1', 'm1');
    const first = await fx.turns.appendEvents({ workspace_id: WS, events });
    const before = await snapshot();
    const again = await fx.turns.appendEvents({ workspace_id: WS, events });
    expect(again.results).toEqual(first.results.map((r) => ({ ...r, duplicate: true })));
    expect(await snapshot()).toBe(before);
  });

  it('answers no-ops in place without journaling them; a key repeated inside the batch answers its first use', async () => {
    const started = { thread_id: THREAD, turn_id: 'u1', idempotency_key: 'again', event: text('go') };
    const delta = { thread_id: THREAD, turn_id: 'u1', idempotency_key: 'd1', event: { type: 'item.agent_message.delta', item_id: 'm1', delta: 'hi' } as TurnEventPayload };
    const { results } = await fx.turns.appendEvents({
      workspace_id: WS,
      events: [started, { ...step('u1', 'm1')[0]!, idempotency_key: 'i1' }, delta, delta],
    });
    expect(results.map((r) => [r.outcome, r.duplicate, r.position])).toEqual([
      ['noop_already_started', false, null],
      ['applied', false, 3],
      ['applied', false, 4],
      ['applied', true, 4],
    ]);
    expect((await fx.rows('journal_event')).length).toBe(4); // with thread.started and turn.started
  });

  it('refuses event k of a batch and writes none of it; the error names k', async () => {
    const events = step('u1', 'm1');
    events[5] = { ...events[5]!, event: { type: 'item.agent_message.delta', item_id: 'ghost', delta: 'x' } };
    const before = await snapshot();
    const error = await expectCode(fx.turns.appendEvents({ workspace_id: WS, events }), 'invariant_violation');
    expect(error.details).toMatchObject({ index: 5, projector: 'turns', stream_id: 'u1', type: 'item.agent_message.delta' });
    expect(error.message).toMatch(/^event 5 of the batch: item.agent_message.delta refused: .*unknown item ghost/);
    expect(await snapshot()).toBe(before);
  });

  it("refuses a batch holding another workspace's thread or turn, writing nothing", async () => {
    await fx.store.workspaces.create({ workspace_id: 'w2', name: 'Other' });
    await fx.store.threads.start({ workspace_id: 'w2', thread_id: 't-other' });
    await fx.append('u-other', text('theirs'), { workspaceId: 'w2', threadId: 't-other' });
    const before = await snapshot();
    const foreignThread = { thread_id: 't-other', turn_id: 'u2', idempotency_key: 'x1', event: text('mine?') };
    const error = await expectCode(fx.turns.appendEvents({ workspace_id: WS, events: [...step('u1', 'm1').slice(0, 3), foreignThread] }), 'invariant_violation');
    expect(error.details).toMatchObject({ index: 3, reason: 'thread t-other not found in workspace w1' });
    const foreignTurn = { thread_id: 't-other', turn_id: 'u-other', idempotency_key: 'x2', event: { type: 'turn.completed' } as TurnEventPayload };
    expect((await expectCode(fx.turns.appendEvents({ workspace_id: WS, events: [step('u1', 'm1')[0]!, foreignTurn] }), 'invariant_violation')).details).toMatchObject({
      index: 1,
      reason: 'turn u-other belongs to another thread or workspace',
    });
    expect(await snapshot()).toBe(before);
  });

  it('refuses an empty batch, one over 256, a key used for another event, and an oversized payload, writing nothing', async () => {
    const before = await snapshot();
    await expectCode(fx.turns.appendEvents({ workspace_id: WS, events: [] }), 'invalid_params');
    const many = Array.from({ length: 257 }, (_, i) => ({ thread_id: THREAD, turn_id: 'u1', idempotency_key: `k-${i}`, event: text('x') }));
    await expectCode(fx.turns.appendEvents({ workspace_id: WS, events: many }), 'invalid_params');
    const reused = step('u1', 'm1');
    reused[7] = { ...reused[7]!, idempotency_key: reused[0]!.idempotency_key };
    const conflict = await expectCode(fx.turns.appendEvents({ workspace_id: WS, events: reused }), 'conflict');
    expect(conflict.details).toMatchObject({ index: 7 });
    expect(JSON.stringify(conflict)).not.toContain(reused[0]!.idempotency_key);
    const big = { type: 'item.updated', item_id: 'm1', payload: { blob: 'x'.repeat(300 * 1024) } } as TurnEventPayload;
    const tooLarge = await expectCode(fx.turns.appendEvents({ workspace_id: WS, events: [...step('u1', 'm1').slice(0, 1), { ...step('u1', 'm1')[1]!, event: big }] }), 'payload_too_large');
    expect(tooLarge.details).toMatchObject({ index: 1 });
    expect(await snapshot()).toBe(before);
  });

  it('a full 256-event batch, several turns of one workspace, commits once', async () => {
    const events: TurnEventEntry[] = [];
    for (let t = 0; events.length < 256; t++) {
      const turnId = `b${t}`;
      events.push({ thread_id: THREAD, turn_id: turnId, idempotency_key: `${turnId}:start`, event: text(`turn ${t}`) });
      events.push(...step(turnId, 'm1'));
    }
    const { results } = await fx.turns.appendEvents({ workspace_id: WS, events: events.slice(0, 256) });
    expect(results.every((r) => r.outcome === 'applied' && !r.duplicate)).toBe(true);
    expect(results[255]!.position).toBe(258); // after thread.started and turn u1's start
  });
});
