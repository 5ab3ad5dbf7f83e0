import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableAndIndexNames, tableNames } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';
const TABLES = ['recovery_job', 'turn_attachment', 'turn_llm_context', 'turn_mcp_binding', 'turn_prompt_manifest', 'turn_skill_binding'];

describe.each(BACKENDS)('gateway migration 0004 (turn records) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  /** A v3 file with the data of its day: a workspace, a thread, a running turn. */
  async function openAtV3WithData(): Promise<DataSource> {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    await query(ds, 'INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    await query(ds, 
      `INSERT INTO thread (thread_id, workspace_id, folder_id, status, sandbox_policy, created_at, updated_at, last_activity_at)
       VALUES ('t', 'w', NULL, 'active', '{}', ?, ?, ?)`,
      [AT, AT, AT],
    );
    await query(ds, 
      `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, item_count, open_recoveries, last_seq, started_at, updated_at)
       VALUES ('u1', 'w', 't', 1, 'running', 0, 0, 1, ?, ?)`,
      [AT, AT],
    );
    return ds;
  }
  const tables = async () => (await tableNames(ds)).filter((n) => TABLES.includes(n));

  it('adds the turn-record tables on a v3 file with data, and down removes exactly them', async () => {
    await openAtV3WithData();
    const report = await runMigrations(ds, gatewayMigrations, { targetVersion: 4 });
    expect(report.applied.map((m) => m.version)).toEqual([4]);
    expect(await tables()).toEqual(TABLES);
    await migrateDown(ds, gatewayMigrations, 3);
    expect(await tables()).toEqual([]);
    expect((await tableAndIndexNames(ds)).filter((n) => /^idx_(turn_prompt|recovery|turn_attachment)/.test(n))).toEqual([]);
    expect(await query(ds, 'SELECT turn_id FROM turn')).toEqual([{ turn_id: 'u1' }]);
  });

  it('refuses records of an unknown workspace or thread, and a second row for the same (turn, skill)', async () => {
    await openAtV3WithData();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 4 });
    const skill = `INSERT INTO turn_skill_binding (turn_id, skill_id, workspace_id, thread_id, version, sha256, bound_at, event_position) VALUES ('u1', 's', ?, ?, '1', NULL, ?, 1)`;
    await query(ds, skill, ['w', 't', AT]);
    await expect(query(ds, skill, ['w', 't', AT])).rejects.toThrow(backend.violates.unique);
    await expect(
      query(ds, 
        `INSERT INTO turn_attachment (attachment_id, workspace_id, thread_id, turn_id, file_name, media_type, size_bytes, sha256, status, created_at, updated_at)
         VALUES ('a', 'w', 'ghost', 'u1', 'f', 'text/plain', 1, 'x', 'pending', ?, ?)`,
        [AT, AT],
      ),
    ).rejects.toThrow(backend.violates.foreignKey);
    await expect(
      query(ds, 
        `INSERT INTO recovery_job (job_id, workspace_id, turn_id, status, attempt, due_at, claim_count, failed_claims, opened_at, updated_at)
         VALUES ('j', 'ghost', 'u1', 'pending', 0, ?, 0, 0, ?, ?)`,
        [AT, AT, AT],
      ),
    ).rejects.toThrow(backend.violates.foreignKey);
  });
});
