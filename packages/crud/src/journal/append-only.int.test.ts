import { describeSqlite } from '../testing/backend.js';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { createJournal } from './create-journal.js';
import { idempotencyDigest } from './idempotency-key.js';
import { openJournalTestDb, type JournalTestDb } from './testing/journal-db.js';

/** The database itself refuses to rewrite history: these go around crud, straight to SQLite. */
// SQLite-only: the SQLite triggers, driven with raw SQL on the file (the PostgreSQL ones are tested in @cairn/migration).
describeSqlite('journal_event is append-only in the database (raw SQL)', () => {
  let db: JournalTestDb;
  beforeEach(async () => {
    db = await openJournalTestDb();
    const journal = createJournal();
    await db.port.write(async (ctx) => {
      for (let i = 1; i <= 3; i++) {
        await journal.append(ctx, { workspaceId: 'ws', streamType: 'turn', streamId: 't', type: 'e', payload: { i }, idempotencyKey: `k${i}` });
      }
    });
  });
  afterEach(async () => {
    await db.close();
  });

  const count = (): number => (db.native.prepare('SELECT count(*) AS n FROM journal_event').get() as { n: number }).n;
  const headHash = (): string => (db.native.prepare('SELECT hash FROM journal_event WHERE position = 3').get() as { hash: string }).hash;
  const rawInsert = (values: Record<string, unknown>, verb = 'INSERT'): void => {
    const row = {
      position: 4, workspace_id: 'ws', workspace_seq: 4, stream_type: 'turn', stream_id: 't', stream_seq: 4, type: 'e',
      payload: '{}', idempotency_key: null, recorded_at: '2025-01-01T00:00:00.000Z', prev_hash: headHash(), hash: 'y', hash_version: 2, ...values,
    };
    const columns = Object.keys(row);
    db.native.prepare(`${verb} INTO journal_event (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...Object.values(row));
  };

  it('refuses UPDATE of any column', () => {
    expect(() => db.native.exec(`UPDATE journal_event SET payload = '{"i":99}' WHERE position = 2`)).toThrow(/append-only: UPDATE refused/);
    expect(() => db.native.exec(`UPDATE journal_event SET idempotency_key = NULL`)).toThrow(/append-only: UPDATE refused/);
    expect(db.native.prepare('SELECT payload FROM journal_event WHERE position = 2').get()).toEqual({ payload: '{"i":2}' });
  });

  it('refuses DELETE, of one row or all', () => {
    expect(() => db.native.exec('DELETE FROM journal_event WHERE position = 3')).toThrow(/append-only: DELETE refused/);
    expect(() => db.native.exec('DELETE FROM journal_event')).toThrow(/append-only: DELETE refused/);
    expect(count()).toBe(3);
  });

  it('refuses INSERT OR REPLACE over an existing row (REPLACE deletes without delete triggers)', () => {
    expect(() => rawInsert({ position: 2, workspace_seq: 2, stream_seq: 2 }, 'INSERT OR REPLACE')).toThrow(/position already taken/);
    // Even as another workspace's well-formed first row: positions are never reused.
    expect(() => rawInsert({ position: 2, workspace_id: 'ws2', workspace_seq: 1, stream_id: 't2', stream_seq: 1, prev_hash: '0'.repeat(64) }, 'REPLACE')).toThrow(
      /position already taken/,
    );
    expect(() => rawInsert({ workspace_seq: 2 }, 'REPLACE')).toThrow(/workspace_seq must be the workspace head \+ 1/);
    expect(() => rawInsert({ stream_seq: 1 }, 'INSERT OR REPLACE')).toThrow(/stream_seq must be the stream head \+ 1/);
    expect(() => rawInsert({ idempotency_key: idempotencyDigest('k1') }, 'INSERT OR REPLACE')).toThrow(/idempotency key already used/);
    expect(count()).toBe(3);
    expect((db.native.prepare('SELECT payload FROM journal_event WHERE position = 2').get() as { payload: string }).payload).toBe('{"i":2}');
  });

  it('refuses inserts that do not extend their workspace head: wrong seq, wrong prev_hash, a position before the head', () => {
    expect(() => rawInsert({ workspace_seq: 9 })).toThrow(/workspace_seq/);
    expect(() => rawInsert({ prev_hash: 'x' })).toThrow(/prev_hash must be the hash of the workspace head/);
    expect(() => rawInsert({ workspace_id: 'ws2', workspace_seq: 1, stream_id: 't2', stream_seq: 1, prev_hash: 'x' })).toThrow(/prev_hash/);
    expect(() => rawInsert({ stream_id: 'new', stream_seq: 2 })).toThrow(/stream_seq/);
    // A stream lives in one workspace: its next event may not come from another.
    expect(() => rawInsert({ workspace_id: 'ws2', workspace_seq: 1, prev_hash: '0'.repeat(64) })).toThrow(/in the same workspace/);
    // Rows are v2 from migration 0006 on; a row marked v1 (the column's default) is an old writer's.
    expect(() => rawInsert({ hash_version: 1 })).toThrow(/hash_version 2/);
    expect(count()).toBe(3);
  });

  it('needs no global head: a position only has to follow its workspace head, gaps allowed', () => {
    expect(() => rawInsert({ position: 1_000, hash: 'h1000' })).not.toThrow();
    // Another workspace may take a free position below the file's newest one...
    expect(() => rawInsert({ position: 500, workspace_id: 'ws2', workspace_seq: 1, stream_id: 't2', stream_seq: 1, prev_hash: '0'.repeat(64) })).not.toThrow();
    // ...but a workspace's next row may not come before its head.
    expect(() => rawInsert({ position: 999, workspace_seq: 5, stream_seq: 5, prev_hash: 'h1000' })).toThrow(/position must follow it/);
    expect(() => rawInsert({ position: 1_001, workspace_seq: 5, stream_seq: 5, prev_hash: 'h1000' })).not.toThrow();
    expect(count()).toBe(6);
  });
});
