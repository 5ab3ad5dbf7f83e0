import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { columnNames, query } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';

describe.each(BACKENDS)('gateway migration 0005 (held text) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  const columns = () => columnNames(ds, 'turn_item');

  it('adds turn_item.held_sealed (NULL on existing items) to a v4 database with data; down drops only it', async () => {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 4 });
    await query(ds, 'INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    await query(ds, 
      `INSERT INTO thread (thread_id, workspace_id, folder_id, status, sandbox_policy, created_at, updated_at, last_activity_at) VALUES ('t', 'w', NULL, 'active', '{}', ?, ?, ?)`,
      [AT, AT, AT],
    );
    await query(ds, 
      `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, item_count, open_recoveries, last_seq, started_at, updated_at) VALUES ('u1', 'w', 't', 1, 'running', 1, 0, 2, ?, ?)`,
      [AT, AT],
    );
    await query(ds, 
      `INSERT INTO turn_item (turn_id, item_id, workspace_id, thread_id, ordinal, item_type, status, attempt, text, started_at, updated_at) VALUES ('u1', 'i1', 'w', 't', 1, 'agent_message', 'in_progress', 1, 'hello', ?, ?)`,
      [AT, AT],
    );
    const before = await columns();

    expect((await runMigrations(ds, gatewayMigrations, { targetVersion: 5 })).applied.map((m) => m.version)).toEqual([5]);
    expect(await columns()).toEqual([...before, 'held_sealed']);
    expect(await query(ds, 'SELECT text, held_sealed FROM turn_item')).toEqual([{ text: 'hello', held_sealed: null }]);

    await migrateDown(ds, gatewayMigrations, 4);
    expect(await columns()).toEqual(before);
    expect(await query(ds, 'SELECT text FROM turn_item')).toEqual([{ text: 'hello' }]);
  });
});
