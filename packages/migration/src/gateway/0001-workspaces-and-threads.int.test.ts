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

describe('gateway migration 0001 (workspaces and threads)', () => {
  let dir: string;
  let ds: DataSource;
  afterEach(async () => {
    if (ds?.isInitialized) await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<DataSource> {
    dir = mkdtempSync(join(tmpdir(), 'cairn-mig-gw-'));
    ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    return ds;
  }
  const tables = async () =>
    ((await ds.query(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name`)) as Array<{ name: string }>)
      .map((r) => r.name)
      .filter((n) => !n.startsWith('schema_migration'));

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
    await ds.query(ws, ['a', 'A', 'default', AT, AT]);
    await ds.query(ws, ['b', 'B', null, AT, AT]);
    await ds.query(ws, ['c', 'C', null, AT, AT]);
    await expect(ds.query('UPDATE workspace SET default_slot = ? WHERE workspace_id = ?', ['default', 'b'])).rejects.toThrow(/UNIQUE/);
    await ds.query(folder, ['fa', 'a', null, 'FA', AT, AT]);
    await expect(ds.query(folder, ['fb', 'b', 'fa', 'FB', AT, AT])).rejects.toThrow(/FOREIGN KEY/);
    await expect(ds.query(thread, ['t1', 'b', 'fa', AT, AT, AT])).rejects.toThrow(/FOREIGN KEY/);
    await ds.query(thread, ['t2', 'a', 'fa', AT, AT, AT]);
    await expect(ds.query(thread, ['t3', 'nope', null, AT, AT, AT])).rejects.toThrow(/FOREIGN KEY/);
  });
});
