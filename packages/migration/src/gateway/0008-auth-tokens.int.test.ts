import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableAndIndexNames } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';
const HASH = 'a'.repeat(64);
const INSERT_TOKEN =
  'INSERT INTO auth_token (token_id, token_hash, kind, workspace_ids, label, created_at, expires_at, revoked_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';

describe.each(BACKENDS)('gateway migration 0008 (auth tokens) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  it('adds auth_token to a v7 database with data, leaving the data alone; down drops only it', async () => {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 7 });
    await query(ds, 'INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    await query(ds, `INSERT INTO thread (thread_id, workspace_id, folder_id, status, sandbox_policy, created_at, updated_at, last_activity_at) VALUES ('t', 'w', NULL, 'active', '{}', ?, ?, ?)`, [
      AT,
      AT,
      AT,
    ]);
    const before = await tableAndIndexNames(ds);

    expect((await runMigrations(ds, gatewayMigrations, { targetVersion: 8 })).applied.map((m) => m.version)).toEqual([8]);
    expect(await tableAndIndexNames(ds)).toEqual([...before, 'auth_token', 'idx_auth_token_created', 'idx_auth_token_created_by'].sort());
    expect(await query(ds, 'SELECT workspace_id FROM workspace')).toEqual([{ workspace_id: 'w' }]);

    // An operator token (no expiry, never revoked) and a scoped one it created, at the limits.
    await query(ds, INSERT_TOKEN, ['tok_op', HASH, 'operator', '[]', '', AT, null, null, null]);
    await query(ds, INSERT_TOKEN, ['tok_ws', 'b'.repeat(64), 'workspace', '["w"]', 'x'.repeat(200), AT, AT, AT, 'tok_op']);
    expect(await query(ds, 'SELECT token_id, kind, created_by, expires_at FROM auth_token ORDER BY token_id')).toEqual([
      { token_id: 'tok_op', kind: 'operator', created_by: null, expires_at: null },
      { token_id: 'tok_ws', kind: 'workspace', created_by: 'tok_op', expires_at: AT },
    ]);
    // The hash is unique, the kind is one of two, and the required columns are required.
    await expect(query(ds, INSERT_TOKEN, ['tok_dup', HASH, 'operator', '[]', '', AT, null, null, null])).rejects.toThrow();
    await expect(query(ds, INSERT_TOKEN, ['tok_kind', 'c'.repeat(64), 'admin', '[]', '', AT, null, null, null])).rejects.toThrow();
    await expect(query(ds, INSERT_TOKEN, ['tok_null', 'd'.repeat(64), 'operator', null, '', AT, null, null, null])).rejects.toThrow();

    await migrateDown(ds, gatewayMigrations, 7);
    expect(await tableAndIndexNames(ds)).toEqual(before);
    expect(await query(ds, 'SELECT thread_id FROM thread')).toEqual([{ thread_id: 't' }]);
  });
});
