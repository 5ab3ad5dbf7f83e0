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
const TABLES = ['recovery_job', 'turn_attachment', 'turn_llm_context', 'turn_mcp_binding', 'turn_prompt_manifest', 'turn_skill_binding'];

describe('gateway migration 0004 (turn records)', () => {
  let dir: string;
  let ds: DataSource;
  afterEach(async () => {
    if (ds?.isInitialized) await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A v3 file with the data of its day: a workspace, a thread, a running turn. */
  async function openAtV3WithData(): Promise<DataSource> {
    dir = mkdtempSync(join(tmpdir(), 'cairn-mig-turn-records-'));
    ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    await ds.query('INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    await ds.query(
      `INSERT INTO thread (thread_id, workspace_id, folder_id, status, sandbox_policy, created_at, updated_at, last_activity_at)
       VALUES ('t', 'w', NULL, 'active', '{}', ?, ?, ?)`,
      [AT, AT, AT],
    );
    await ds.query(
      `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, item_count, open_recoveries, last_seq, started_at, updated_at)
       VALUES ('u1', 'w', 't', 1, 'running', 0, 0, 1, ?, ?)`,
      [AT, AT],
    );
    return ds;
  }
  const tables = async () =>
    ((await ds.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${TABLES.map(() => '?').join(', ')}) ORDER BY name`, TABLES)) as Array<{
      name: string;
    }>).map((r) => r.name);

  it('adds the turn-record tables on a v3 file with data, and down removes exactly them', async () => {
    await openAtV3WithData();
    const report = await runMigrations(ds, gatewayMigrations, { targetVersion: 4 });
    expect(report.applied.map((m) => m.version)).toEqual([4]);
    expect(await tables()).toEqual(TABLES);
    await migrateDown(ds, gatewayMigrations, 3);
    expect(await tables()).toEqual([]);
    expect(await ds.query(`SELECT name FROM sqlite_master WHERE name LIKE 'idx_turn_prompt%' OR name LIKE 'idx_recovery%' OR name LIKE 'idx_turn_attachment%'`)).toEqual([]);
    expect(await ds.query('SELECT turn_id FROM turn')).toEqual([{ turn_id: 'u1' }]);
  });

  it('refuses records of an unknown workspace or thread, and a second row for the same (turn, skill)', async () => {
    await openAtV3WithData();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 4 });
    const skill = `INSERT INTO turn_skill_binding (turn_id, skill_id, workspace_id, thread_id, version, sha256, bound_at, event_position) VALUES ('u1', 's', ?, ?, '1', NULL, ?, 1)`;
    await ds.query(skill, ['w', 't', AT]);
    await expect(ds.query(skill, ['w', 't', AT])).rejects.toThrow(/UNIQUE|PRIMARY/);
    await expect(
      ds.query(
        `INSERT INTO turn_attachment (attachment_id, workspace_id, thread_id, turn_id, file_name, media_type, size_bytes, sha256, status, created_at, updated_at)
         VALUES ('a', 'w', 'ghost', 'u1', 'f', 'text/plain', 1, 'x', 'pending', ?, ?)`,
        [AT, AT],
      ),
    ).rejects.toThrow(/FOREIGN KEY/);
    await expect(
      ds.query(
        `INSERT INTO recovery_job (job_id, workspace_id, turn_id, status, attempt, due_at, claim_count, failed_claims, opened_at, updated_at)
         VALUES ('j', 'ghost', 'u1', 'pending', 0, ?, 0, 0, ?, ?)`,
        [AT, AT, AT],
      ),
    ).rejects.toThrow(/FOREIGN KEY/);
  });
});
