import { describeSqlite } from '../testing/backend.js';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { SqliteWriteCoordinator, openSqliteDatabase } from '@cairn/sqlite';
import { sqliteJob, sqliteStatements } from '../port/sqlite-port.js';
import { createJournal } from './create-journal.js';
import { hashEvent, GENESIS_HASH } from './hash-event.js';
import { idempotencyDigest } from './idempotency-key.js';
import type { JournalEventRow } from './journal-row.js';
import { readJournalAfter } from './read-journal-after.js';
import { readStream } from './read-stream.js';
import { readWorkspaceAfter } from './read-workspace-after.js';
import { REDACTED } from './secret-rules.js';
import { openJournalTestDb, type JournalTestDb } from './testing/journal-db.js';
import type { JournalEventInput, JournalReader } from './types.js';
import { verifyJournal } from './verify-journal.js';
import { workspaceHead } from './workspace-head.js';

const AT = '2025-03-01T10:00:00.000Z';
const turn = (workspaceId: string, streamId: string, type: string, payload: unknown = {}, extra: Partial<JournalEventInput> = {}): JournalEventInput => ({
  workspaceId,
  streamType: 'turn',
  streamId,
  type,
  payload,
  recordedAt: AT,
  ...extra,
});

// SQLite-only: a journal on a raw SQLite connection (openJournalTestDb).
describeSqlite('createJournal().append (real SQLite)', () => {
  let db: JournalTestDb;
  let reader: JournalReader;
  beforeEach(async () => {
    db = await openJournalTestDb();
    reader = sqliteStatements(db.native);
  });
  afterEach(async () => {
    await db.close();
  });

  const rows = (): JournalEventRow[] => db.native.prepare('SELECT * FROM journal_event ORDER BY position').all() as JournalEventRow[];

  it('assigns positions and per-workspace and per-stream seqs, and links every hash to the previous one of its workspace', async () => {
    const journal = createJournal();
    const inputs = [
      turn('ws_a', 't1', 'turn.started'),
      turn('ws_a', 't1', 'item.completed', { text: 'hi' }),
      turn('ws_b', 't2', 'turn.started'),
      turn('ws_a', 't3', 'turn.started'),
      turn('ws_b', 't2', 'turn.completed'),
    ];
    const results = await Promise.all(inputs.map((input) => db.port.write((ctx) => journal.append(ctx, input))));
    const events = results.map((r) => r.event);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(events.map((e) => [e.position, e.workspaceSeq, e.streamSeq])).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [3, 1, 1],
      [4, 3, 1],
      [5, 2, 2],
    ]);
    // ws_a: 1 -> 2 -> 4; ws_b: 3 -> 5; each workspace's first from genesis.
    expect(events.map((e) => e.prevHash)).toEqual([GENESIS_HASH, events[0]!.hash, GENESIS_HASH, events[1]!.hash, events[2]!.hash]);
    for (const row of rows()) {
      expect(row.hash).toBe(
        hashEvent({
          position: row.position,
          recordedAt: row.recorded_at,
          workspaceId: row.workspace_id,
          workspaceSeq: row.workspace_seq,
          streamType: row.stream_type,
          streamId: row.stream_id,
          streamSeq: row.stream_seq,
          threadId: row.thread_id,
          type: row.type,
          idempotencyKey: row.idempotency_key,
          payload: row.payload,
          prevHash: row.prev_hash,
        }),
      );
    }
    expect(db.native.prepare('SELECT DISTINCT hash_version AS v FROM journal_event').all()).toEqual([{ v: 2 }]);
    // What append returned is what a reader gets back.
    expect(await readJournalAfter(reader, 0, 100)).toEqual(events);
  });

  it('stores the thread id in the envelope (hashed), null when not given', async () => {
    const journal = createJournal();
    const a = await db.port.write((ctx) => journal.append(ctx, turn('ws', 't1', 'turn.started', { n: 1 }, { threadId: 'thr_1' })));
    const b = await db.port.write((ctx) => journal.append(ctx, turn('ws', 't2', 'turn.started', { n: 1 })));
    expect([a.event.threadId, b.event.threadId]).toEqual(['thr_1', null]);
    expect(rows().map((r) => r.thread_id)).toEqual(['thr_1', null]);
    expect(await readJournalAfter(reader, 0, 10)).toEqual([a.event, b.event]);
    expect(a.event.payload).toEqual({ n: 1 });
    await expect(db.port.write((ctx) => journal.append(ctx, turn('ws', 't1', 'x', {}, { threadId: '' })))).rejects.toMatchObject({ code: 'invalid_params' });
    // A rewritten thread id is a rewritten row.
    db.native.exec('DROP TRIGGER trg_journal_event_no_update');
    db.native.exec(`UPDATE journal_event SET thread_id = 'thr_2' WHERE position = 1`);
    expect(await db.port.read((q) => verifyJournal(q))).toMatchObject({ ok: false, position: 1, reason: 'hash_mismatch' });
  });

  it('refuses to continue a stream from another workspace (conflict), without naming it', async () => {
    const journal = createJournal();
    await db.port.write((ctx) => journal.append(ctx, turn('ws_secret', 'shared', 'turn.started')));
    const refused = db.port.write((ctx) => journal.append(ctx, turn('ws_b', 'shared', 'turn.completed')));
    await expect(refused).rejects.toMatchObject({ code: 'conflict' });
    await expect(refused).rejects.not.toThrow(/ws_secret/);
    expect(rows()).toHaveLength(1);
  });

  it('stores canonical JSON and stamps recordedAt from the clock when not given', async () => {
    const journal = createJournal({ now: () => '2025-03-01T11:22:33.444Z' });
    const { event } = await db.port.write((ctx) =>
      journal.append(ctx, { workspaceId: 'ws', streamType: 'audit', streamId: 'a1', type: 'x', payload: { b: 1, a: [true, null] } }),
    );
    expect(event.recordedAt).toBe('2025-03-01T11:22:33.444Z');
    expect(rows()[0]!.payload).toBe('{"a":[true,null],"b":1}');
  });

  it('returns the first event for a repeated idempotency key and writes nothing, per workspace', async () => {
    const journal = createJournal();
    const first = await db.port.write((ctx) => journal.append(ctx, turn('ws_a', 't1', 'turn.started', { n: 1 }, { idempotencyKey: 'k1' })));
    // The same key again, even with another body, and twice inside one group commit.
    const again = await Promise.all([
      db.port.write((ctx) => journal.append(ctx, turn('ws_a', 't1', 'turn.started', { n: 2 }, { idempotencyKey: 'k1' }))),
      db.port.write((ctx) => journal.append(ctx, turn('ws_a', 't9', 'other', {}, { idempotencyKey: 'k1' }))),
    ]);
    expect(first.duplicate).toBe(false);
    for (const result of again) expect(result).toEqual({ event: first.event, duplicate: true });
    expect(rows()).toHaveLength(1);

    const otherWorkspace = await db.port.write((ctx) => journal.append(ctx, turn('ws_b', 't2', 'turn.started', {}, { idempotencyKey: 'k1' })));
    expect(otherWorkspace.duplicate).toBe(false);
    expect(rows()).toHaveLength(2);
  });

  it('stores an idempotency key only as its digest: the key as given is nowhere in the row', async () => {
    const journal = createJournal();
    const key = 'retry-of-sk-proj-Q2kT8vNw5mHx9cLp';
    const first = await db.port.write((ctx) => journal.append(ctx, turn('ws_a', 't1', 'turn.started', {}, { idempotencyKey: key })));
    expect(first.event.idempotencyKey).toBe(idempotencyDigest(key));
    expect(first.event.idempotencyKey).toMatch(/^k1\.[A-Za-z0-9_-]{43}$/);
    const stored = rows()[0]!;
    expect(stored.idempotency_key).toBe(idempotencyDigest(key));
    expect(JSON.stringify(stored)).not.toContain('Q2kT8vNw5mHx9cLp');
    // Equality survives: the same key is a duplicate, a different one is not.
    expect((await db.port.write((ctx) => journal.append(ctx, turn('ws_a', 't1', 'turn.started', {}, { idempotencyKey: key })))).duplicate).toBe(true);
    expect((await db.port.write((ctx) => journal.append(ctx, turn('ws_a', 't1', 'x', {}, { idempotencyKey: `${key}!` })))).duplicate).toBe(false);
  });

  it('redacts secrets before storing and hashing, then applies the extra redactor hook', async () => {
    const held = 'value-the-keystore-holds-42';
    const journal = createJournal({ redact: (p) => JSON.parse(JSON.stringify(p).replaceAll(held, REDACTED)) as unknown });
    const payload = {
      request: { headers: { authorization: 'Bearer abcdefghijklmnop0123456789' }, body: `use ${held} please`, max_tokens: 50 },
      output: 'export OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwxyz123456',
    };
    const { event } = await db.port.write((ctx) => journal.append(ctx, turn('ws', 't', 'tool.called', payload)));
    const expected = {
      request: { headers: { authorization: REDACTED }, body: `use ${REDACTED} please`, max_tokens: 50 },
      output: `export OPENAI_API_KEY=${REDACTED}`,
    };
    expect(event.payload).toEqual(expected);
    const stored = rows()[0]!.payload;
    expect(stored).not.toMatch(/abcdefghijklmnop|sk-abc|value-the-keystore/);
    expect(JSON.parse(stored)).toEqual(expected);
    expect(await db.port.read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 1, lastPosition: 1 });
  });

  it('refuses malformed input with invalid_params and consumes no position', async () => {
    const journal = createJournal();
    const bad: Array<Partial<JournalEventInput>> = [
      { workspaceId: '' },
      { streamType: 'chat' as never },
      { streamId: '' },
      { type: '' },
      { idempotencyKey: '' },
      { recordedAt: '2025-03-01 10:00:00' },
      { recordedAt: '2025-03-01T10:00:00+02:00' },
      { payload: { n: Number.NaN } },
    ];
    for (const patch of bad) {
      await expect(db.port.write((ctx) => journal.append(ctx, { ...turn('ws', 't', 'x'), ...patch }))).rejects.toMatchObject({
        code: 'invalid_params',
      });
    }
    const ok = await db.port.write((ctx) => journal.append(ctx, turn('ws', 't', 'x')));
    expect(ok.event.position).toBe(1);
  });

  it('commits an event with its projection or not at all', async () => {
    const journal = createJournal();
    await expect(
      db.port.write(async (ctx) => {
        await journal.append(ctx, turn('ws', 't', 'turn.started'));
        throw new Error('projection failed');
      }),
    ).rejects.toThrow('projection failed');
    expect(rows()).toHaveLength(0);
    const { event } = await db.port.write((ctx) => journal.append(ctx, turn('ws', 't', 'turn.started')));
    expect([event.position, event.streamSeq, event.prevHash]).toEqual([1, 1, GENESIS_HASH]);
  });

  it('in a group commit, reuses the heads between jobs but forgets those of a job that was rolled back', async () => {
    const journal = createJournal();
    const append = (i: number, fail = false) =>
      db.port.write(async (ctx) => {
        const { event } = await journal.append(ctx, turn('ws', 't', 'e', { i }));
        if (fail) throw new Error(`projection refused ${i}`);
        return [event.position, event.workspaceSeq, event.streamSeq];
      });
    // Queued together: one transaction. 2 fails on the optimistic run, 4 inside its savepoint on the rerun.
    const settled = await Promise.allSettled([append(1), append(2, true), append(3), append(4, true), append(5)]);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      [1, 1, 1],
      'projection refused 2',
      [2, 2, 2],
      'projection refused 4',
      [3, 3, 3],
    ]);
    expect(db.coordinator.stats).toMatchObject({ commits: 1, jobs: 3 });
    expect(await db.port.read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 3, lastPosition: 3 });
  });

  it('reads the heads under the write lock: two connections appending to one file keep their chains', async () => {
    const other = await openSqliteDatabase({ path: db.path });
    const otherCoordinator = new SqliteWriteCoordinator(other);
    try {
      const journal = createJournal();
      // Strictly alternating first (each append must see the other connection's last one)...
      for (let i = 0; i < 10; i++) {
        const coordinator = i % 2 === 0 ? db.coordinator : otherCoordinator;
        const { event } = await coordinator.write(sqliteJob((ctx) => journal.append(ctx, turn('ws_a', 't0', 'e', { i }))));
        expect([event.position, event.streamSeq]).toEqual([i + 1, i + 1]);
      }
      // ...then both at once, contending for the lock.
      const writes: Array<Promise<unknown>> = [];
      for (let i = 10; i < 40; i++) {
        const coordinator = i % 2 === 0 ? db.coordinator : otherCoordinator;
        const workspace = i % 3 === 0 ? 'ws_a' : 'ws_b';
        writes.push(coordinator.write(sqliteJob((ctx) => journal.append(ctx, turn(workspace, `${workspace}_t${i % 4}`, 'e', { i })))));
      }
      await Promise.all(writes);
      await otherCoordinator.close();
      expect(await db.port.read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 40, lastPosition: 40 });
      expect((await workspaceHead(reader, 'ws_a')) + (await workspaceHead(reader, 'ws_b'))).toBe(40);
    } finally {
      await other.destroy();
    }
  });
});

describeSqlite('journal reads', () => {
  let db: JournalTestDb;
  let reader: JournalReader;
  beforeEach(async () => {
    db = await openJournalTestDb();
    reader = sqliteStatements(db.native);
    const journal = createJournal();
    await db.port.write(async (ctx) => {
      for (let i = 1; i <= 10; i++) {
        await journal.append(ctx, turn(i % 2 === 0 ? 'ws_even' : 'ws_odd', i % 2 === 0 ? 'even' : 'odd', `e${i}`, { i }));
      }
    });
  });
  afterEach(async () => {
    await db.close();
  });

  it('readStream pages one stream in stream order', async () => {
    const page1 = await readStream(reader, 'turn', 'odd', { limit: 3 });
    expect(page1.map((e) => [e.streamSeq, e.type])).toEqual([
      [1, 'e1'],
      [2, 'e3'],
      [3, 'e5'],
    ]);
    const page2 = await readStream(reader, 'turn', 'odd', { afterStreamSeq: 3, limit: 3 });
    expect(page2.map((e) => e.type)).toEqual(['e7', 'e9']);
    expect(await readStream(reader, 'task', 'odd', { limit: 3 })).toEqual([]);
  });

  it('readWorkspaceAfter replays after the resync cursor, and workspaceHead is the newest seq', async () => {
    expect(await workspaceHead(reader, 'ws_even')).toBe(5);
    expect(await workspaceHead(reader, 'ws_none')).toBe(0);
    const replay = await readWorkspaceAfter(reader, 'ws_even', 2, 100);
    expect(replay.map((e) => [e.workspaceSeq, e.type, e.payload])).toEqual([
      [3, 'e6', { i: 6 }],
      [4, 'e8', { i: 8 }],
      [5, 'e10', { i: 10 }],
    ]);
    expect(await readWorkspaceAfter(reader, 'ws_even', 5, 100)).toEqual([]);
  });

  it('refuses bad cursors and limits with invalid_params', async () => {
    await expect(readWorkspaceAfter(reader, 'ws_even', -1, 10)).rejects.toThrow(expect.objectContaining({ code: 'invalid_params' }));
    await expect(readStream(reader, 'turn', 'odd', { limit: 0 })).rejects.toThrow(expect.objectContaining({ code: 'invalid_params' }));
    await expect(readJournalAfter(reader, 0, 10_001)).rejects.toThrow(expect.objectContaining({ code: 'invalid_params' }));
  });
});
