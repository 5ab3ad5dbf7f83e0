import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TurnEventPayload } from '@cairn/protocol';
import { given } from './testing/projection-spec.js';
import { THREAD, WS, openTurnFixture, text, type TurnFixture } from './testing/turn-fixture.js';

const itemStarted = (item_id: string, item_type: 'agent_message' | 'command' = 'agent_message', extra: object = {}): TurnEventPayload => ({
  type: 'item.started',
  item_id,
  item_type,
  ...extra,
});
const itemCompleted = (item_id: string, status: 'completed' | 'failed' | 'cancelled' = 'completed', extra: object = {}): TurnEventPayload => ({
  type: 'item.completed',
  item_id,
  status,
  ...extra,
});
const delta = (item_id: string, d: string): TurnEventPayload => ({ type: 'item.agent_message.delta', item_id, delta: d });

describe('TurnProjector (given / when / then)', () => {
  let fx: TurnFixture;
  beforeEach(async () => {
    fx = await openTurnFixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  describe('turn.started', () => {
    it('creates the turn, its input, the first status, a timeline entry, a search document, and moves the thread', async () => {
      await fx.store.threads.setStatus({ workspace_id: WS, thread_id: THREAD, status: 'archived' });
      const policy = { mode: 'read_only' as const, writable_roots: [], network_access: true };
      const then = await given(fx, []).when('u1', {
        type: 'turn.started',
        input: [
          { type: 'text', text: 'Deploy the staging server' },
          { type: 'attachment', attachment_id: 'att_1', name: 'plan.md', mime_type: 'text/markdown' },
        ],
        sandbox_policy: policy,
        model: 'gpt-x',
      });
      // Journal positions 1 and 2 are the thread's own events (thread.started, thread.updated by the archive).
      expect(then).toMatchObject({ outcome: 'applied', result: { position: 3, seq: 3, duplicate: false }, changed: true });
      const [turn] = await fx.rows('turn');
      expect(turn).toMatchObject({ turn_id: 'u1', workspace_id: WS, thread_id: THREAD, thread_seq: 1, status: 'running', model: 'gpt-x', last_seq: 1 });
      expect(JSON.parse(turn!.sandbox_policy as string)).toEqual(policy);
      expect(await fx.rows('turn_input')).toEqual([
        { turn_id: 'u1', ordinal: 1, kind: 'text', text: 'Deploy the staging server', attachment_id: null, name: null, mime_type: null },
        { turn_id: 'u1', ordinal: 2, kind: 'attachment', text: null, attachment_id: 'att_1', name: 'plan.md', mime_type: 'text/markdown' },
      ]);
      expect(await fx.rows('turn_status_change')).toMatchObject([{ turn_id: 'u1', seq: 1, from_status: null, to_status: 'running' }]);
      expect(await fx.rows('turn_timeline_entry')).toMatchObject([{ turn_id: 'u1', seq: 1, workspace_seq: 3, type: 'turn.started', status: 'running' }]);
      expect(await fx.rows('turn_search')).toMatchObject([{ body: 'Deploy the staging server', turn_id: 'u1', item_id: null }]);
      const thread = await fx.store.threads.get({ workspace_id: WS, thread_id: THREAD });
      expect(thread).toMatchObject({ status: 'active', sandbox_policy: policy, last_activity_at: turn!.started_at });
    });

    it('is noop_already_started when repeated, noop_already_terminal after the end, and writes nothing', async () => {
      expect(await given(fx, [['u1', text('a')]]).when('u1', text('a'))).toEqual({ outcome: 'noop_already_started', result: expect.anything(), changed: false });
      await fx.append('u1', { type: 'turn.completed' });
      expect(await given(fx, []).when('u1', text('a'))).toMatchObject({ outcome: 'noop_already_terminal', result: { position: null, seq: null }, changed: false });
    });

    it('refuses an unknown thread, a thread of another workspace, and a turn id taken in another thread', async () => {
      await fx.store.workspaces.create({ workspace_id: 'w2', name: 'Other' });
      await fx.store.threads.start({ workspace_id: 'w2', thread_id: 't-other' });
      await fx.store.threads.start({ workspace_id: WS, thread_id: 't2' });
      expect(await given(fx, []).when('u1', text('a'), { threadId: 'ghost' })).toMatchObject({ outcome: 'invariant_violation', changed: false });
      expect(await given(fx, []).when('u1', text('a'), { threadId: 't-other' })).toMatchObject({ outcome: 'invariant_violation', changed: false });
      const moved = await given(fx, [['u1', text('a')]]).when('u1', text('a'), { threadId: 't2' });
      expect(moved).toMatchObject({ outcome: 'invariant_violation', changed: false });
      expect(moved.reason).toMatch(/another thread/);
    });
  });

  describe('out of order and impossible events change nothing, not even the journal', () => {
    const cases: Array<[string, Array<[string, TurnEventPayload]>, TurnEventPayload, RegExp]> = [
      ['an item before the turn started', [], itemStarted('i1'), /has not started/],
      ['completing an unknown item', [['u1', text('a')]], itemCompleted('ghost'), /unknown item/],
      ['a delta for an unknown item', [['u1', text('a')]], delta('ghost', 'x'), /unknown item/],
      ['an item after the turn ended', [['u1', text('a')], ['u1', { type: 'turn.completed' }]], itemStarted('i1'), /after the turn ended/],
      ['a delta after the item ended', [['u1', text('a')], ['u1', itemStarted('i1')], ['u1', itemCompleted('i1')]], delta('i1', 'x'), /after item i1 ended/],
      ['a text delta for a command', [['u1', text('a')], ['u1', itemStarted('c1', 'command')]], delta('c1', 'x'), /text delta for command/],
      ['completing a turn with an open item', [['u1', text('a')], ['u1', itemStarted('i1')]], { type: 'turn.completed' }, /still in progress/],
      ['a retry that skips an attempt', [['u1', text('a')], ['u1', itemStarted('i1')]], { type: 'retry.attempt_started', item_id: 'i1', attempt: 3 }, /the next is 2/],
      ['closing an unknown recovery', [['u1', text('a')]], { type: 'recovery.succeeded', recovery_id: 'r9' }, /unknown recovery/],
    ];
    it.each(cases)('%s', async (_name, history, event, reason) => {
      const then = await given(fx, history).when('u1', event);
      expect(then).toMatchObject({ outcome: 'invariant_violation', changed: false });
      expect(then.reason).toMatch(reason);
    });

    it('an event for a turn of another workspace', async () => {
      await fx.store.workspaces.create({ workspace_id: 'w2', name: 'Other' });
      const then = await given(fx, [['u1', text('a')]]).when('u1', itemStarted('i1'), { workspaceId: 'w2' });
      expect(then).toMatchObject({ outcome: 'invariant_violation', changed: false });
    });
  });

  describe('items', () => {
    it('accumulate deltas, end with their attempt, and are searchable once finished', async () => {
      await given(fx, [['u1', text('hello')], ['u1', itemStarted('i1')], ['u1', delta('i1', 'Patched the ')], ['u1', delta('i1', 'kernel')]]).when(
        'u1',
        itemCompleted('i1'),
      );
      expect(await fx.rows('turn_item')).toMatchObject([{ item_id: 'i1', ordinal: 1, status: 'completed', text: 'Patched the kernel', attempt: 1 }]);
      expect(await fx.rows('turn_item_attempt')).toMatchObject([{ item_id: 'i1', attempt: 1, status: 'completed' }]);
      expect((await fx.rows('turn_timeline_entry')).map((r) => r.type)).toEqual(['turn.started', 'item.started', 'item.completed']);
      expect((await fx.rows('turn'))[0]).toMatchObject({ item_count: 1, last_seq: 5 });
      const hits = await fx.searchStore.threads({ workspace_id: WS, query: 'kernel' });
      expect(hits.items).toMatchObject([{ turn_id: 'u1', item_id: 'i1', kind: 'item' }]);
    });

    it('name repeated starts and ends', async () => {
      const history: Array<[string, TurnEventPayload]> = [['u1', text('a')], ['u1', itemStarted('i1')]];
      expect((await given(fx, history).when('u1', itemStarted('i1'))).outcome).toBe('noop_already_started');
      expect((await given(fx, [['u1', itemCompleted('i1', 'failed')]]).when('u1', itemCompleted('i1', 'failed'))).outcome).toBe('noop_duplicate_terminal');
      expect((await given(fx, []).when('u1', itemCompleted('i1', 'completed'))).outcome).toBe('noop_already_terminal');
      expect((await given(fx, []).when('u1', itemStarted('i1'))).outcome).toBe('noop_already_terminal');
    });

    it('keep the payload the journal kept (secrets redacted) and replace it on update', async () => {
      await given(fx, [['u1', text('a')], ['u1', itemStarted('c1', 'command', { payload: { command: 'ls' } })]]).when('u1', {
        type: 'item.updated',
        item_id: 'c1',
        payload: { command: 'curl', api_key: 'sk-live-0123456789abcdef0123' },
      });
      const [item] = await fx.rows('turn_item');
      expect(JSON.parse(item!.payload as string)).toEqual({ command: 'curl', api_key: '[redacted]' });
    });
  });

  describe('timeouts, retries and recoveries', () => {
    it('time out an attempt, retry it, and move the turn through recovering and back', async () => {
      await given(fx, [
        ['u1', text('a')],
        ['u1', itemStarted('c1', 'command', { timeout_ms: 1000 })],
        ['u1', { type: 'item.timeout_detected', item_id: 'c1' }],
        ['u1', { type: 'recovery.opened', recovery_id: 'r1', item_id: 'c1', reason: 'timeout' }],
        ['u1', { type: 'retry.scheduled', recovery_id: 'r1', item_id: 'c1', attempt: 2, due_at: '2025-01-01T00:01:00.000Z' }],
        ['u1', { type: 'retry.attempt_started', recovery_id: 'r1', item_id: 'c1', attempt: 2 }],
        ['u1', itemCompleted('c1')],
        ['u1', { type: 'recovery.succeeded', recovery_id: 'r1' }],
      ]).when('u1', { type: 'turn.completed', usage: { input_tokens: 10, output_tokens: 2 } });
      expect(await fx.rows('turn_item_attempt')).toMatchObject([
        { attempt: 1, status: 'timed_out', reason: 'timeout_detected' },
        { attempt: 2, status: 'completed' },
      ]);
      expect((await fx.rows('turn_item'))[0]).toMatchObject({ attempt: 2, status: 'completed', timed_out_at: null, retry_due_at: null });
      expect((await fx.rows('turn_status_change', 'seq')).map((r) => [r.from_status, r.to_status])).toEqual([
        [null, 'running'],
        ['running', 'recovering'],
        ['recovering', 'running'],
        ['running', 'completed'],
      ]);
      expect((await fx.rows('turn'))[0]).toMatchObject({ status: 'completed', open_recoveries: 0, usage: '{"input_tokens":10,"output_tokens":2}' });
    });

    it('name replays of timeouts, retries and recoveries', async () => {
      const history: Array<[string, TurnEventPayload]> = [
        ['u1', text('a')],
        ['u1', itemStarted('c1', 'command')],
        ['u1', { type: 'item.timeout_detected', item_id: 'c1' }],
        ['u1', { type: 'recovery.opened', recovery_id: 'r1', reason: 'timeout' }],
        ['u1', { type: 'retry.attempt_started', item_id: 'c1', attempt: 2 }],
      ];
      expect((await given(fx, history).when('u1', { type: 'retry.attempt_started', item_id: 'c1', attempt: 2 })).outcome).toBe('noop_already_started');
      expect((await given(fx, []).when('u1', { type: 'recovery.opened', recovery_id: 'r1', reason: 'again' })).outcome).toBe('noop_already_started');
      await fx.append('u1', { type: 'recovery.exhausted', recovery_id: 'r1' });
      expect((await given(fx, []).when('u1', { type: 'recovery.exhausted', recovery_id: 'r1' })).outcome).toBe('noop_duplicate_terminal');
      expect((await given(fx, []).when('u1', { type: 'recovery.succeeded', recovery_id: 'r1' })).outcome).toBe('noop_already_terminal');
      await fx.append('u1', itemCompleted('c1'));
      expect((await given(fx, []).when('u1', { type: 'item.timeout_detected', item_id: 'c1' })).outcome).toBe('noop_already_terminal');
    });
  });

  describe('turn end', () => {
    it('failing a turn closes its open items and attempts', async () => {
      const then = await given(fx, [['u1', text('a')], ['u1', itemStarted('i1')], ['u1', itemStarted('c1', 'command')], ['u1', itemCompleted('c1')]]).when(
        'u1',
        { type: 'turn.failed', error: { code: 'provider_error', message: 'boom' } },
      );
      expect(then.outcome).toBe('applied');
      expect((await fx.rows('turn_item', 'ordinal')).map((r) => [r.item_id, r.status, r.reason])).toEqual([
        ['i1', 'failed', 'turn_failed'],
        ['c1', 'completed', null],
      ]);
      expect((await fx.rows('turn_item_attempt', 'item_id DESC')).map((r) => r.status)).toEqual(['failed', 'completed']);
      expect((await fx.rows('turn'))[0]).toMatchObject({ status: 'failed', error: '{"code":"provider_error","message":"boom"}' });
      expect((await fx.rows('turn'))[0]!.completed_at).not.toBeNull();
    });

    it('names a second end: the same one is a duplicate, another one (a late cancel) is already terminal', async () => {
      const history: Array<[string, TurnEventPayload]> = [['u1', text('a')], ['u1', { type: 'turn.completed' }]];
      expect(await given(fx, history).when('u1', { type: 'turn.completed' })).toMatchObject({ outcome: 'noop_duplicate_terminal', changed: false });
      expect(await given(fx, []).when('u1', { type: 'turn.cancelled' })).toMatchObject({ outcome: 'noop_already_terminal', changed: false });
    });
  });

  describe('idempotency keys', () => {
    it('answer the first result for a repeated key, and conflict when the key names another event', async () => {
      const first = await fx.append('u1', text('a'), { key: 'start-1' });
      const again = await fx.append('u1', text('a'), { key: 'start-1' });
      expect(again).toEqual({ ...first, duplicate: true });
      const journal = await fx.rows('journal_event');
      await expect(fx.append('u1', { type: 'turn.completed' }, { key: 'start-1' })).rejects.toMatchObject({ code: 'conflict' });
      expect(await fx.rows('journal_event')).toEqual(journal);
    });
  });
});
