import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createJournal } from '../journal/create-journal.js';
import { hashEvent } from '../journal/hash-event.js';
import type { JournalEventRow } from '../journal/journal-row.js';
import type { PendingEvent, StreamType } from '../journal/types.js';
import type { WriteContext } from '../port/types.js';
import { verifyJournal } from '../journal/verify-journal.js';
import { expectCode } from '../testing/expect-error.js';
import { commitCount, openTempStore, steppingClock, type TempStore } from '../testing/temp-store.js';
import { createEventLog } from './create-event-log.js';
import { NOOP_ALREADY_STARTED, NOOP_DUPLICATE_TERMINAL, applied, violation } from './decision.js';
import type { Decision, EventInput, Projector } from './types.js';

const WS = 'w1';

/**
 * A stream that does not exist in the product yet (`audit`: the task stream now has its real
 * projector, crud's `TaskProjector`), added the way a later issue adds one: a
 * projector and its table, and ONE registration (`openCrudStore({ streams })`). No write path
 * of its own: it is appended, journaled, hashed, made idempotent and rebuilt by the same
 * event log as the turn stream.
 */
class TestTaskProjector implements Projector {
  readonly name = 'test-tasks';
  readonly canHandle = ['task.created', 'task.completed'];
  readonly tables = ['test_task'];

  async decide(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
    const row = await ctx.get<{ status: string }>('SELECT status FROM test_task WHERE task_id = ?', [event.streamId]);
    const payload = event.payload as { title?: string };
    if (event.type === 'task.created') {
      if (row) return NOOP_ALREADY_STARTED;
      return applied(async (placed) => {
        await ctx.run('INSERT INTO test_task (task_id, workspace_id, title, status, last_seq) VALUES (?, ?, ?, ?, ?)', [
          placed.streamId,
          placed.workspaceId,
          payload.title ?? null,
          'open',
          placed.streamSeq,
        ]);
      });
    }
    if (!row) return violation(`task ${event.streamId} was never created`);
    if (row.status === 'done') return NOOP_DUPLICATE_TERMINAL;
    return applied(async (placed) => {
      await ctx.run("UPDATE test_task SET status = 'done', last_seq = ? WHERE task_id = ?", [placed.streamSeq, placed.streamId]);
    });
  }
}

const created = (taskId: string, title: string, key?: string): EventInput => ({
  workspaceId: WS,
  streamType: 'audit',
  streamId: taskId,
  type: 'task.created',
  payload: { title },
  idempotencyKey: key,
});
const completed = (taskId: string, key?: string): EventInput => ({ workspaceId: WS, streamType: 'audit', streamId: taskId, type: 'task.completed', payload: {}, idempotencyKey: key });

describe('a stream added by registering its projector (a test-only projector on the `audit` stream)', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTempStore({ clock: steppingClock(), streams: [{ streamType: 'audit', projectors: [new TestTaskProjector()] }] });
    await temp.store.context.write(async (ctx) => {
      await ctx.run('CREATE TABLE test_task (task_id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, title TEXT, status TEXT NOT NULL, last_seq INTEGER NOT NULL)');
    });
    await temp.store.workspaces.create({ workspace_id: WS, name: 'W' });
  });
  afterEach(async () => temp.cleanup());

  const tasks = () => temp.store.context.read((q) => q.all('SELECT * FROM test_task ORDER BY task_id'));
  const journal = () => temp.store.context.read((q) => q.all<JournalEventRow>('SELECT * FROM journal_event ORDER BY position'));

  it('is journaled and hashed in the one chain, beside the turn stream, and projected in the same transaction', async () => {
    await temp.store.threads.start({ workspace_id: WS, thread_id: 't1' }); // position 1: thread.started
    const [a] = await temp.store.events.append([created('task-a', 'write the report', 'ka')]);
    await temp.store.turns.start({ workspace_id: WS, thread_id: 't1', turn_id: 'u1', input: [{ type: 'text', text: 'hi' }] });
    const [done] = await temp.store.events.append([completed('task-a', 'kb')]);
    expect(a).toMatchObject({ outcome: 'applied', duplicate: false, event: { position: 2, workspaceSeq: 2, streamType: 'audit', streamId: 'task-a', streamSeq: 1 } });
    expect(done).toMatchObject({ outcome: 'applied', event: { position: 4, workspaceSeq: 4, streamSeq: 2 } });
    expect(await tasks()).toEqual([{ task_id: 'task-a', workspace_id: WS, title: 'write the report', status: 'done', last_seq: 2 }]);
    const rows = await journal();
    expect(rows.map((r) => [r.stream_type, r.type])).toEqual([
      ['thread', 'thread.started'],
      ['audit', 'task.created'],
      ['turn', 'turn.started'],
      ['audit', 'task.completed'],
    ]);
    for (const row of rows) {
      expect(row.hash).toBe(
        hashEvent({
          position: row.position, recordedAt: row.recorded_at, workspaceId: row.workspace_id, workspaceSeq: row.workspace_seq,
          streamType: row.stream_type, streamId: row.stream_id, streamSeq: row.stream_seq, threadId: row.thread_id, type: row.type,
          idempotencyKey: row.idempotency_key, payload: row.payload, prevHash: row.prev_hash,
        }),
      );
    }
    expect(await temp.store.port.read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 4, lastPosition: 4 });
  });

  it('redacts once, before the projector decides: the read model holds what the journal holds', async () => {
    await temp.store.events.append([created('task-s', 'deploy with sk-abcdefghijklmnopqrstuvwxyz123456')]);
    expect(await tasks()).toMatchObject([{ title: 'deploy with [redacted]' }]);
    expect(JSON.parse((await journal())[0]!.payload)).toEqual({ title: 'deploy with [redacted]' });
  });

  it('is idempotent by key: the first answer again, nothing written; the key on another event is conflict', async () => {
    const [first] = await temp.store.events.append([created('task-a', 'one', 'k1')]);
    const [again] = await temp.store.events.append([created('task-a', 'one, retried', 'k1')]);
    expect(again).toEqual({ ...first, duplicate: true });
    await expectCode(temp.store.events.append([completed('task-a', 'k1')]), 'conflict');
    expect(await journal()).toHaveLength(1);
    expect(await tasks()).toMatchObject([{ title: 'one', status: 'open' }]);
  });

  it('answers named no-ops without journaling them, and refuses an impossible event writing nothing', async () => {
    await temp.store.events.append([created('task-a', 'one'), completed('task-a')]);
    expect(await temp.store.events.append([created('task-a', 'again'), completed('task-a')])).toEqual([
      { outcome: 'noop_already_started', event: null, duplicate: false },
      { outcome: 'noop_duplicate_terminal', event: null, duplicate: false },
    ]);
    const error = await expectCode(temp.store.events.append([created('task-b', 'fine'), completed('task-ghost')]), 'invariant_violation');
    expect(error.details).toMatchObject({ index: 1, projector: 'test-tasks', stream_type: 'audit', stream_id: 'task-ghost', reason: 'task task-ghost was never created' });
    expect(error.message).toMatch(/^event 1 of the batch: task.completed refused/);
    expect(await journal()).toHaveLength(2);
    expect((await tasks()).map((t) => (t as { task_id: string }).task_id)).toEqual(['task-a']);
  });

  it('is rebuilt from the journal by the same projector, with every other read model', async () => {
    await temp.store.events.append([created('task-a', 'one'), created('task-b', 'two'), completed('task-a')]);
    const before = await tasks();
    const report = await temp.store.repair.rebuild();
    expect(report).toMatchObject({ events: 3, violations: [], outcomes: { applied: 3 } });
    expect(report.tables).toContain('test_task');
    expect(await tasks()).toEqual(before);
  });

  it('commits a batch of several streams of one workspace all or nothing', async () => {
    await temp.store.threads.start({ workspace_id: WS, thread_id: 't1' });
    const turn = (type: string, payload: object): EventInput => ({ workspaceId: WS, streamType: 'turn', streamId: 'u1', type, payload: { type, thread_id: 't1', ...payload } });
    const ok = await temp.store.events.append([created('task-a', 'one'), turn('turn.started', { input: [{ type: 'text', text: 'go' }] }), completed('task-a')]);
    expect(ok.map((r) => r.event?.position)).toEqual([2, 3, 4]); // 1: thread.started
    const commits = commitCount(temp.store);
    await expectCode(temp.store.events.append([created('task-b', 'two'), turn('turn.completed', {}), turn('item.started', { item_id: 'i1', item_type: 'command' })]), 'invariant_violation');
    expect(commitCount(temp.store)).toBe(commits);
    expect(await journal()).toHaveLength(4);
    expect(await tasks()).toHaveLength(1);
    // One workspace per batch; no unregistered stream.
    const other = await expectCode(temp.store.events.append([created('task-c', 'x'), { ...created('task-d', 'y'), workspaceId: 'w2' }]), 'invalid_params');
    expect(other.details).toMatchObject({ index: 1 });
    await expectCode(temp.store.events.append([{ ...created('a-1', 'x'), streamType: 'nonesuch' as StreamType }]), 'invalid_params');
    await expectCode(temp.store.events.append([]), 'invalid_params');
    await expectCode(temp.store.events.append(Array.from({ length: 257 }, (_, i) => created(`t${i}`, 'x'))), 'invalid_params');
    expect(await journal()).toHaveLength(4);
  });
});

describe('registering streams', () => {
  it('refuses a duplicate projector name and a second prepare hook for one stream, when the log is built', () => {
    const journal = createJournal();
    const task = new TestTaskProjector();
    expect(() => createEventLog({ journal, streams: [{ streamType: 'audit', projectors: [task] }, { streamType: 'audit', projectors: [task] }] })).toThrow(
      /two projectors are named test-tasks/,
    );
    const prepare = async (_ctx: WriteContext, input: EventInput) => input.payload;
    expect(() => createEventLog({ journal, streams: [{ streamType: 'audit', projectors: [], prepare }, { streamType: 'audit', projectors: [task], prepare }] })).toThrow(
      /stream audit has two prepare hooks/,
    );
    // More projectors for a registered stream type: appended after its own, in dispatch order.
    const second: Projector = { name: 'second', canHandle: ['task.created'], tables: [], decide: async () => NOOP_ALREADY_STARTED };
    const log = createEventLog({ journal, streams: [{ streamType: 'audit', projectors: [task] }, { streamType: 'audit', projectors: [second] }] });
    expect(log.projectorsFor('audit', 'task.created')).toEqual([task, second]);
    expect(log.projectorsFor('audit', 'task.completed')).toEqual([task]);
    expect(log.projectorsFor('turn', 'task.created')).toEqual([]);
  });
});
