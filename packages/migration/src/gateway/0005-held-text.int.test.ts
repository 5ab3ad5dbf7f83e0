import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openSqliteDatabase } from '@cairn/sqlite';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';

describe('gateway migration 0005 (held text)', () => {
  let dir: string;
  let ds: DataSource;
  afterEach(async () => {
    if (ds?.isInitialized) await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const columns = async () => ((await ds.query(`SELECT name FROM pragma_table_info('turn_item') ORDER BY cid`)) as Array<{ name: string }>).map((r) => r.name);

  it('adds turn_item.held_sealed (NULL on existing items) to a v4 file with data; down drops only it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-mig-held-text-'));
    ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    await runMigrations(ds, gatewayMigrations, { targetVersion: 4 });
    await ds.query('INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    await ds.query(
      `INSERT INTO thread (thread_id, workspace_id, folder_id, status, sandbox_policy, created_at, updated_at, last_activity_at) VALUES ('t', 'w', NULL, 'active', '{}', ?, ?, ?)`,
      [AT, AT, AT],
    );
    await ds.query(
      `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, item_count, open_recoveries, last_seq, started_at, updated_at) VALUES ('u1', 'w', 't', 1, 'running', 1, 0, 2, ?, ?)`,
      [AT, AT],
    );
    await ds.query(
      `INSERT INTO turn_item (turn_id, item_id, workspace_id, thread_id, ordinal, item_type, status, attempt, text, started_at, updated_at) VALUES ('u1', 'i1', 'w', 't', 1, 'agent_message', 'in_progress', 1, 'hello', ?, ?)`,
      [AT, AT],
    );
    const before = await columns();

    expect((await runMigrations(ds, gatewayMigrations, { targetVersion: 5 })).applied.map((m) => m.version)).toEqual([5]);
    expect(await columns()).toEqual([...before, 'held_sealed']);
    expect(await ds.query('SELECT text, held_sealed FROM turn_item')).toEqual([{ text: 'hello', held_sealed: null }]);

    await migrateDown(ds, gatewayMigrations, 4);
    expect(await columns()).toEqual(before);
    expect(await ds.query('SELECT text FROM turn_item')).toEqual([{ text: 'hello' }]);
  });
});
