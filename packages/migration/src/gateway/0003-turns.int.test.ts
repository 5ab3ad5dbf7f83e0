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
const TURN_TABLES = ['turn', 'turn_input', 'turn_item', 'turn_item_attempt', 'turn_search', 'turn_status_change', 'turn_timeline_entry'];

describe('gateway migration 0003 (turns)', () => {
  let dir: string;
  let ds: DataSource;
  afterEach(async () => {
    if (ds?.isInitialized) await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openAtV2WithData(): Promise<DataSource> {
    dir = mkdtempSync(join(tmpdir(), 'cairn-mig-turns-'));
    ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    await runMigrations(ds, gatewayMigrations, { targetVersion: 2 });
    // v2 data written with the SQL of its day: a workspace, a thread.
    await ds.query('INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    await ds.query(
      `INSERT INTO thread (thread_id, workspace_id, folder_id, status, sandbox_policy, created_at, updated_at, last_activity_at)
       VALUES ('t', 'w', NULL, 'active', '{}', ?, ?, ?)`,
      [AT, AT, AT],
    );
    return ds;
  }
  const turnTables = async () =>
    ((await ds.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'turn%' AND name NOT LIKE 'turn_search_%' ORDER BY name`)) as Array<{
      name: string;
    }>)
      .map((r) => r.name)
      .filter((n) => TURN_TABLES.includes(n));

  it('adds the turn tables on a v2 file with data, and down removes them again (FTS shadow tables included)', async () => {
    await openAtV2WithData();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    expect(await turnTables()).toEqual(TURN_TABLES);
    await migrateDown(ds, gatewayMigrations, 2);
    const left = (await ds.query(`SELECT name FROM sqlite_master WHERE name LIKE 'turn%' OR name LIKE 'idx_turn%'`)) as unknown[];
    expect(left).toEqual([]);
    expect(await ds.query('SELECT thread_id FROM thread')).toEqual([{ thread_id: 't' }]);
  });

  it('refuses a turn of an unknown thread and an attempt of an unknown item', async () => {
    await openAtV2WithData();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    const turn = `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, item_count, open_recoveries, last_seq, started_at, updated_at)
      VALUES (?, 'w', ?, ?, 'running', 0, 0, 1, ?, ?)`;
    await ds.query(turn, ['u1', 't', 1, AT, AT]);
    await expect(ds.query(turn, ['u2', 'nope', 1, AT, AT])).rejects.toThrow(/FOREIGN KEY/);
    await expect(ds.query(turn, ['u3', 't', 1, AT, AT])).rejects.toThrow(/UNIQUE/);
    await expect(
      ds.query(`INSERT INTO turn_item_attempt (turn_id, item_id, attempt, status, started_at) VALUES ('u1', 'ghost', 1, 'running', ?)`, [AT]),
    ).rejects.toThrow(/FOREIGN KEY/);
  });

  it('creates a working FTS5 index', async () => {
    await openAtV2WithData();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    await ds.query(`INSERT INTO turn_search (body, workspace_id, thread_id, turn_id, item_id, at) VALUES (?, 'w', 't', 'u1', NULL, ?)`, [
      'Déployer le serveur',
      AT,
    ]);
    expect(await ds.query(`SELECT turn_id FROM turn_search WHERE turn_search MATCH ?`, ['deployer'])).toEqual([{ turn_id: 'u1' }]);
  });
});
