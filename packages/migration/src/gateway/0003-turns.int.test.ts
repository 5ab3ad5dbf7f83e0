import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableAndIndexNames, tableNames } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';
const TURN_TABLES = ['turn', 'turn_input', 'turn_item', 'turn_item_attempt', 'turn_search', 'turn_status_change', 'turn_timeline_entry'];
/** The search table's INSERT, the same on both dialects (crud's SearchIndex writes it). */
const INSERT_SEARCH = `INSERT INTO turn_search (body, workspace_id, thread_id, turn_id, item_id, at) VALUES (?, 'w', 't', ?, NULL, ?)`;

describe.each(BACKENDS)('gateway migration 0003 (turns) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  async function openAtV2WithData(): Promise<DataSource> {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 2 });
    // v2 data written with the SQL of its day: a workspace, a thread.
    await query(ds, 'INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    await query(
      ds,
      `INSERT INTO thread (thread_id, workspace_id, folder_id, status, sandbox_policy, created_at, updated_at, last_activity_at)
       VALUES ('t', 'w', NULL, 'active', '{}', ?, ?, ?)`,
      [AT, AT, AT],
    );
    return ds;
  }
  const turnTables = async () => (await tableNames(ds)).filter((n) => TURN_TABLES.includes(n));

  it('adds the turn tables on a v2 database with data, and down removes them again (search index included)', async () => {
    await openAtV2WithData();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    expect(await turnTables()).toEqual(TURN_TABLES);
    await migrateDown(ds, gatewayMigrations, 2);
    expect((await tableAndIndexNames(ds)).filter((n) => n.startsWith('turn') || n.startsWith('idx_turn'))).toEqual([]);
    if (backend.name === 'sqlite') expect(await ds.query(`SELECT name FROM sqlite_master WHERE name LIKE 'turn%' OR name LIKE 'idx_turn%'`)).toEqual([]);
    else expect(await ds.query(`SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname LIKE '%turn%'`)).toEqual([]);
    expect(await query(ds, 'SELECT thread_id FROM thread')).toEqual([{ thread_id: 't' }]);
  });

  it('refuses a turn of an unknown thread and an attempt of an unknown item', async () => {
    await openAtV2WithData();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    const turn = `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, item_count, open_recoveries, last_seq, started_at, updated_at)
      VALUES (?, 'w', ?, ?, 'running', 0, 0, 1, ?, ?)`;
    await query(ds, turn, ['u1', 't', 1, AT, AT]);
    await expect(query(ds, turn, ['u2', 'nope', 1, AT, AT])).rejects.toThrow(backend.violates.foreignKey);
    await expect(query(ds, turn, ['u3', 't', 1, AT, AT])).rejects.toThrow(backend.violates.unique);
    await expect(
      query(ds, `INSERT INTO turn_item_attempt (turn_id, item_id, attempt, status, started_at) VALUES ('u1', 'ghost', 1, 'running', ?)`, [AT]),
    ).rejects.toThrow(backend.violates.foreignKey);
  });

  it('creates a working full-text index that ignores case and accents', async () => {
    await openAtV2WithData();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    await query(ds, INSERT_SEARCH, ['Déployer le SERVEUR', 'u1', AT]);
    await query(ds, INSERT_SEARCH, ['nothing to see', 'u2', AT]);
    const found =
      backend.name === 'sqlite'
        ? await ds.query(`SELECT turn_id FROM turn_search WHERE turn_search MATCH ?`, ['deployer serveur'])
        : await ds.query(`SELECT turn_id FROM turn_search WHERE document @@ to_tsquery('simple', $1) AND workspace_id = 'w'`, ['deployer & serv:*']);
    expect(found).toEqual([{ turn_id: 'u1' }]);
  });
});
