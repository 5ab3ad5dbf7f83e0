import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableAndIndexNames } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2025-01-01T00:00:00.000Z';
const SHA = 'a'.repeat(64);
const BIG = 12 * 1024 * 1024 * 1024; // beyond 32 bits: sizes are bigint on both databases

const TABLES = ['artifact', 'artifact_binding', 'artifact_blob', 'artifact_external_ref', 'artifact_projection', 'artifact_upload_session', 'artifact_usage', 'artifact_version'];
const INDEXES = [
  'idx_artifact_binding_message',
  'idx_artifact_binding_thread',
  'idx_artifact_binding_turn',
  'idx_artifact_blob_created',
  'idx_artifact_external_ref_expires',
  'idx_artifact_projection_blob',
  'idx_artifact_projection_claim',
  'idx_artifact_upload_session_blob',
  'idx_artifact_upload_session_expires',
  'idx_artifact_version_blob',
  'idx_artifact_workspace_created',
];

describe.each(BACKENDS)('gateway migration 0009 (artifacts) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  it('adds the artifact tables to a v8 database with data, leaving the data alone; down drops only them', async () => {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 8 });
    await query(ds, 'INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    const before = await tableAndIndexNames(ds);

    expect((await runMigrations(ds, gatewayMigrations, { targetVersion: 9 })).applied.map((m) => m.version)).toEqual([9]);
    const after = await tableAndIndexNames(ds);
    expect(after.filter((n) => !before.includes(n))).toEqual(expect.arrayContaining([...TABLES, ...INDEXES]));
    expect(await query(ds, 'SELECT workspace_id FROM workspace')).toEqual([{ workspace_id: 'w' }]);

    await query(ds, 'INSERT INTO artifact_blob (workspace_id, sha256, size_bytes, created_at, verified_at) VALUES (?, ?, ?, ?, ?)', ['w', SHA, BIG, AT, null]);
    await query(
      ds,
      'INSERT INTO artifact (artifact_id, workspace_id, name, kind, mime_type, status, restore_status, source_kind, current_version_id, version_count, sha256, size_bytes, thread_id, created_at, updated_at, deleted_at, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ['a', 'w', 'big.bin', 'file', 'application/octet-stream', 'ready', null, 'api', 'v', 1, SHA, BIG, null, AT, AT, null, 1],
    );
    const version = 'INSERT INTO artifact_version (version_id, artifact_id, workspace_id, version_number, sha256, size_bytes, name, mime_type, kind, source_kind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
    await query(ds, version, ['v', 'a', 'w', 1, SHA, BIG, 'big.bin', 'application/octet-stream', 'file', 'api', AT]);
    const sizes = (await query(ds, 'SELECT size_bytes FROM artifact_blob')) as Array<{ size_bytes: unknown }>;
    expect(sizes.map((r) => Number(r.size_bytes))).toEqual([BIG]);
    // A version number once per artifact; a version of no artifact; a blob twice in a workspace: all refused.
    await expect(query(ds, version, ['v2', 'a', 'w', 1, SHA, 1, 'x', 'text/plain', 'file', 'api', AT])).rejects.toThrow();
    await expect(query(ds, version, ['v3', 'nope', 'w', 1, SHA, 1, 'x', 'text/plain', 'file', 'api', AT])).rejects.toThrow();
    await expect(query(ds, 'INSERT INTO artifact_blob (workspace_id, sha256, size_bytes, created_at) VALUES (?, ?, ?, ?)', ['w', SHA, 1, AT])).rejects.toThrow();
    // The same binding key twice on one artifact is one binding.
    const binding =
      'INSERT INTO artifact_binding (binding_id, artifact_id, version_id, workspace_id, binding_kind, direction, scope, binding_key, thread_id, turn_id, message_id, item_id, tool_call_id, task_id, task_run_id, created_at) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ?)';
    await query(ds, binding, ['b1', 'a', 'w', 'draft_upload', 'input', 'workspace', 'k', AT]);
    await expect(query(ds, binding, ['b2', 'a', 'w', 'draft_upload', 'input', 'workspace', 'k', AT])).rejects.toThrow();

    await migrateDown(ds, gatewayMigrations, 8);
    expect(await tableAndIndexNames(ds)).toEqual(before);
    expect(await query(ds, 'SELECT workspace_id FROM workspace')).toEqual([{ workspace_id: 'w' }]);
  });
});
