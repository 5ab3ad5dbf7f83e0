import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { columnNames, query } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';
const GENESIS = '0'.repeat(64);

describe.each(BACKENDS)('gateway migration 0006 (journal chain per workspace) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  const columns = () => columnNames(ds, 'journal_event');
  /** A row as v5's trigger wants it: the file's head + 1 (the hashes are not the migration's business). */
  const insertV5 = (position: number, workspace: string, workspaceSeq: number, stream: string, streamSeq: number, key: string | null = null) =>
    query(ds, 
      `INSERT INTO journal_event (position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload, idempotency_key, recorded_at, prev_hash, hash)
       VALUES (?, ?, ?, 'turn', ?, ?, 'e', '{}', ?, ?, ?, ?)`,
      [position, workspace, workspaceSeq, stream, streamSeq, key, AT, `p${position - 1}`, `p${position}`],
    );

  it('marks every existing row hash_version 1 with no thread, then takes only v2 rows that extend their workspace; down gives v5 back', async () => {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 5 });
    await insertV5(1, 'ws_a', 1, 't1', 1, 'k1');
    await insertV5(2, 'ws_b', 1, 't2', 1);
    await insertV5(3, 'ws_a', 2, 't1', 2);
    const before = await columns();

    expect((await runMigrations(ds, gatewayMigrations, { targetVersion: 6 })).applied.map((m) => m.version)).toEqual([6]);
    expect(await columns()).toEqual([...before, 'thread_id', 'hash_version']);
    expect(await query(ds, 'SELECT position, thread_id, hash_version, idempotency_key FROM journal_event ORDER BY position')).toEqual([
      { position: 1, thread_id: null, hash_version: 1, idempotency_key: 'k1' },
      { position: 2, thread_id: null, hash_version: 1, idempotency_key: null },
      { position: 3, thread_id: null, hash_version: 1, idempotency_key: null },
    ]);

    const insertV6 = (values: Record<string, unknown>) => {
      const row = {
        position: 4, workspace_id: 'ws_b', workspace_seq: 2, stream_type: 'turn', stream_id: 't2', stream_seq: 2, type: 'e', payload: '{}',
        idempotency_key: null, recorded_at: AT, prev_hash: 'p2', hash: 'h4', thread_id: 'thr', hash_version: 2, ...values,
      };
      return query(ds, `INSERT INTO journal_event (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`, Object.values(row));
    };
    // ws_b's next row links to ws_b's last row (position 2, a v1 row), not to the file's last (3).
    await expect(insertV6({ prev_hash: 'p3' })).rejects.toThrow(/prev_hash must be the hash of the workspace head/);
    await expect(insertV6({ hash_version: 1 })).rejects.toThrow(/hash_version 2/);
    await expect(insertV6({ position: 3 })).rejects.toThrow(/position already taken/);
    await insertV6({});
    // A new workspace starts from genesis, anywhere after the rows it follows.
    await insertV6({ position: 10, workspace_id: 'ws_c', workspace_seq: 1, stream_id: 't3', stream_seq: 1, prev_hash: GENESIS, hash: 'h10' });
    if (backend.name === 'postgres') {
      // The position sequence started after the rows v5 held; drawing from it leaves gaps, never duplicates.
      expect(await ds.query(`SELECT nextval('journal_event_position_seq') AS p`)).toEqual([{ p: 4 }]);
      // ON CONFLICT DO UPDATE is an UPDATE, refused like one.
      await expect(
        ds.query(`INSERT INTO journal_event SELECT * FROM journal_event WHERE position = 10 ON CONFLICT (position) DO UPDATE SET type = 'x'`),
      ).rejects.toThrow(/position already taken|UPDATE refused/);
    }
    await expect(query(ds, 'UPDATE journal_event SET thread_id = NULL')).rejects.toThrow(/UPDATE refused/);
    await expect(query(ds, 'DELETE FROM journal_event WHERE position = 10')).rejects.toThrow(/DELETE refused/);

    await migrateDown(ds, gatewayMigrations, 5);
    expect(await columns()).toEqual(before);
    if (backend.name === 'postgres') expect(await ds.query(`SELECT to_regclass('journal_event_position_seq') AS s`)).toEqual([{ s: null }]);
    expect((await query<Array<{ position: number }>>(ds, 'SELECT position FROM journal_event ORDER BY position')).map((r) => r.position)).toEqual([1, 2, 3, 4, 10]);
    // v5's trigger is back: the file's head + 1 again.
    await expect(insertV5(12, 'ws_a', 3, 't1', 3)).rejects.toThrow(/position must be the head \+ 1/);
    await insertV5(11, 'ws_a', 3, 't1', 3);
  });
});
