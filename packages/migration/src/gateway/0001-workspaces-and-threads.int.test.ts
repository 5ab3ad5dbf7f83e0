import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableAndIndexNames } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';

describe.each(BACKENDS)('gateway migration 0001 (workspaces and threads) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  async function open(): Promise<DataSource> {
    db = await backend.create();
    ds = await db.open();
    return ds;
  }
  const tables = async () => (await tableAndIndexNames(ds)).filter((n) => !n.startsWith('schema_migration'));

  it('creates the tables and indexes, and down removes every one of them', async () => {
    await open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 1 });
    expect(await tables()).toEqual([
      'idx_thread_folder_activity',
      'idx_thread_folder_parent',
      'idx_thread_forked_from',
      'idx_thread_status_activity',
      'idx_thread_workspace_activity',
      'idx_workspace_created',
      'thread',
      'thread_folder',
      'workspace',
    ]);
    await migrateDown(ds, gatewayMigrations, 0);
    expect(await tables()).toEqual([]);
    // And up again from nothing: down left no debris that would make up fail.
    await runMigrations(ds, gatewayMigrations, { targetVersion: 1 });
    expect(await tables()).toHaveLength(9);
  });

  it('enforces workspace-scoped folder references and one default workspace', async () => {
    await open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 1 });
    const ws = 'INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)';
    const folder = 'INSERT INTO thread_folder (folder_id, workspace_id, parent_folder_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)';
    const thread = `INSERT INTO thread (thread_id, workspace_id, folder_id, status, sandbox_policy, created_at, updated_at, last_activity_at)
      VALUES (?, ?, ?, 'active', '{}', ?, ?, ?)`;
    await query(ds, ws, ['a', 'A', 'default', AT, AT]);
    await query(ds, ws, ['b', 'B', null, AT, AT]);
    await query(ds, ws, ['c', 'C', null, AT, AT]);
    await expect(query(ds, 'UPDATE workspace SET default_slot = ? WHERE workspace_id = ?', ['default', 'b'])).rejects.toThrow(backend.violates.unique);
    await query(ds, folder, ['fa', 'a', null, 'FA', AT, AT]);
    await expect(query(ds, folder, ['fb', 'b', 'fa', 'FB', AT, AT])).rejects.toThrow(backend.violates.foreignKey);
    await expect(query(ds, thread, ['t1', 'b', 'fa', AT, AT, AT])).rejects.toThrow(backend.violates.foreignKey);
    await query(ds, thread, ['t2', 'a', 'fa', AT, AT, AT]);
    await expect(query(ds, thread, ['t3', 'nope', null, AT, AT, AT])).rejects.toThrow(backend.violates.foreignKey);
  });
});
