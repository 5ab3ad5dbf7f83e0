import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableAndIndexNames } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';

describe.each(BACKENDS)('gateway migration 0011 (artifact GC index) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  it('adds idx_artifact_deleted to a v10 database with data, leaving the data alone; down drops only it', async () => {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 10 });
    await query(ds, 'INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    const before = await tableAndIndexNames(ds);
    expect(before).not.toContain('idx_artifact_deleted');

    expect((await runMigrations(ds, gatewayMigrations, { targetVersion: 11 })).applied.map((m) => m.version)).toEqual([11]);
    expect(await tableAndIndexNames(ds)).toEqual([...before, 'idx_artifact_deleted'].sort());
    expect(await query(ds, 'SELECT workspace_id FROM workspace')).toEqual([{ workspace_id: 'w' }]);

    await migrateDown(ds, gatewayMigrations, 10);
    expect(await tableAndIndexNames(ds)).toEqual(before);
  });
});
