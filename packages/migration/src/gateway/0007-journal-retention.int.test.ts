import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableNames } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';
const GENESIS = '0'.repeat(64);

describe.each(BACKENDS)('gateway migration 0007 (journal retention) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  /** A v2 row as the insert trigger wants it (the hashes are placeholders: not the migration's business). */
  const insert = (position: number, workspaceSeq: number, stream: string, streamSeq: number, workspace = 'ws_a') =>
    query(ds, 
      `INSERT INTO journal_event (position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload, idempotency_key, recorded_at, prev_hash, hash, thread_id, hash_version)
       VALUES (?, ?, ?, 'turn', ?, ?, 'e', '{}', NULL, ?, ?, ?, NULL, 2)`,
      [position, workspace, workspaceSeq, stream, streamSeq, AT, workspaceSeq === 1 ? GENESIS : `${workspace}-h${workspaceSeq - 1}`, `${workspace}-h${workspaceSeq}`],
    );
  const seqs = async () => ((await query(ds, 'SELECT workspace_seq AS s FROM journal_event ORDER BY position')) as Array<{ s: number }>).map((r) => r.s);

  it('keeps v6 rows, lets rows go only at or below the retention point, oldest first, never the head; down gives v6 back', async () => {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 6 });
    await insert(1, 1, 't1', 1);
    await insert(2, 2, 't1', 2);
    await insert(3, 3, 't2', 1);
    await insert(4, 4, 't2', 2);
    expect((await runMigrations(ds, gatewayMigrations, { targetVersion: 7 })).applied.map((m) => m.version)).toEqual([7]);
    expect(await seqs()).toEqual([1, 2, 3, 4]);

    await expect(query(ds, "DELETE FROM journal_event WHERE workspace_seq = 1")).rejects.toThrow(/DELETE refused/);
    await expect(query(ds, "INSERT INTO journal_retention VALUES ('ws_a', 2, 2, 'forged', ?)", [AT])).rejects.toThrow(/live event/);
    await query(ds, "INSERT INTO journal_retention VALUES ('ws_a', 2, 2, 'ws_a-h2', ?)", [AT]);
    await expect(query(ds, 'DELETE FROM journal_event WHERE workspace_seq = 2')).rejects.toThrow(/oldest first/);
    await expect(query(ds, 'DELETE FROM journal_event WHERE workspace_seq = 3')).rejects.toThrow(/DELETE refused/);
    await query(ds, "INSERT INTO journal_stream_retention VALUES ('turn', 't1', 'ws_a', 2)");
    await query(ds, 'DELETE FROM journal_event WHERE workspace_seq = 1');
    await query(ds, 'DELETE FROM journal_event WHERE workspace_seq = 2');
    expect(await seqs()).toEqual([3, 4]);
    // A stream whose rows all left continues from its retained head.
    await expect(insert(5, 5, 't1', 1)).rejects.toThrow(/stream_seq must be the stream head/);
    await insert(5, 5, 't1', 3);
    // The head never goes, the point never moves back.
    await query(ds, "UPDATE journal_retention SET workspace_seq = 5, position = 5, hash = 'ws_a-h5' WHERE workspace_id = 'ws_a'");
    await query(ds, 'DELETE FROM journal_event WHERE workspace_seq = 3');
    await query(ds, 'DELETE FROM journal_event WHERE workspace_seq = 4');
    await expect(query(ds, 'DELETE FROM journal_event WHERE workspace_seq = 5')).rejects.toThrow(/newest event/);
    await expect(query(ds, "UPDATE journal_retention SET workspace_seq = 4, position = 4, hash = 'ws_a-h4'")).rejects.toThrow(/only moves forward/);
    await expect(query(ds, 'DELETE FROM journal_retention')).rejects.toThrow(/DELETE refused/);
    await expect(query(ds, 'UPDATE journal_event SET type = NULL')).rejects.toThrow(/UPDATE refused/);
    if (backend.name === 'postgres') {
      // TRUNCATE fires no row trigger: a statement trigger refuses it on every journal table.
      for (const table of ['journal_event', 'journal_retention', 'journal_stream_retention']) {
        await expect(ds.query(`TRUNCATE "${table}"`)).rejects.toThrow(new RegExp(`${table} is append-only: TRUNCATE refused`));
      }
      await expect(ds.query(`UPDATE journal_stream_retention SET stream_seq = 1`)).rejects.toThrow(/a stream head only moves forward/);
      await expect(ds.query(`DELETE FROM journal_stream_retention`)).rejects.toThrow(/DELETE refused/);
    }

    await migrateDown(ds, gatewayMigrations, 6);
    expect(await seqs()).toEqual([5]);
    expect((await tableNames(ds)).filter((n) => n.includes('retention'))).toEqual([]);
    await expect(query(ds, 'DELETE FROM journal_event')).rejects.toThrow(/DELETE refused/);
  });
});
