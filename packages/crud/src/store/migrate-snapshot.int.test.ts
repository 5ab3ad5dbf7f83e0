import { describeSqlite } from '../testing/backend.js';
import { afterEach, expect, it } from '@jest/globals';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { openSqliteDatabase } from '@cairn/sqlite';
import { openCrudStore } from './open-crud-store.js';
import { makeTempDir, type TempDir } from '../testing/temp-store.js';

/**
 * Emmett-style snapshot test: a database frozen at schema v1 and holding data (written with
 * raw SQL of that day, never through today's code) is migrated to head by `openCrudStore`,
 * and today's API reads the data back intact. When migration 2 lands, this test keeps
 * proving that v1 data survives it.
 */
const SNAPSHOT_VERSION = 1;
const AT = '2024-06-01T12:00:00.000Z';
const POLICY = JSON.stringify({ mode: 'read_only', writable_roots: ['/srv'], network_access: false });

// SQLite-only: a frozen SQLite gateway.db snapshot.
describeSqlite(`gateway.db snapshot at v${SNAPSHOT_VERSION} migrated to head`, () => {
  let temp: TempDir;
  afterEach(() => temp.remove());

  it('keeps workspaces, folders, threads and lineage', async () => {
    temp = makeTempDir();
    const ds = await openSqliteDatabase({ path: temp.path });
    const report = await runMigrations(ds, gatewayMigrations, { targetVersion: SNAPSHOT_VERSION });
    expect(report.toVersion).toBe(SNAPSHOT_VERSION);
    const rows: Array<[string, unknown[]]> = [
      ['INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['ws-old', 'Old', 'default', AT, AT]],
      ['INSERT INTO thread_folder (folder_id, workspace_id, parent_folder_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', ['f-top', 'ws-old', null, 'Top', AT, AT]],
      ['INSERT INTO thread_folder (folder_id, workspace_id, parent_folder_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', ['f-sub', 'ws-old', 'f-top', 'Sub', AT, AT]],
      [
        `INSERT INTO thread (thread_id, workspace_id, folder_id, title, summary, summary_updated_at, status, sandbox_policy,
          forked_from_thread_id, forked_from_turn_id, created_at, updated_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ['t-src', 'ws-old', 'f-sub', 'Source', 'old summary', AT, 'archived', POLICY, null, null, AT, AT, AT],
      ],
      [
        `INSERT INTO thread (thread_id, workspace_id, folder_id, title, summary, summary_updated_at, status, sandbox_policy,
          forked_from_thread_id, forked_from_turn_id, created_at, updated_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ['t-fork', 'ws-old', null, 'Source', null, null, 'active', POLICY, 't-src', 'turn-3', AT, AT, AT],
      ],
    ];
    for (const [sql, params] of rows) await ds.query(sql, params);
    await ds.destroy();

    const store = await openCrudStore({ path: temp.path });
    try {
      expect(store.migration.fromVersion).toBe(SNAPSHOT_VERSION);
      expect(store.migration.toVersion).toBe(gatewayMigrations.migrations.length);
      expect(await store.workspaces.ensureDefault()).toEqual({
        workspace_id: 'ws-old',
        name: 'Old',
        is_default: true,
        created_at: AT,
        updated_at: AT,
      });
      expect(await store.threads.get({ workspace_id: 'ws-old', thread_id: 't-src' })).toEqual({
        thread_id: 't-src',
        workspace_id: 'ws-old',
        folder_id: 'f-sub',
        title: 'Source',
        summary: 'old summary',
        summary_updated_at: AT,
        status: 'archived',
        sandbox_policy: JSON.parse(POLICY),
        forked_from_thread_id: null,
        forked_from_turn_id: null,
        created_at: AT,
        updated_at: AT,
        last_activity_at: AT,
      });
      expect((await store.threads.lineage({ workspace_id: 'ws-old', thread_id: 't-fork' })).map((t) => t.thread_id)).toEqual(['t-src']);
      const tree = await store.threads.tree({ workspace_id: 'ws-old' });
      expect(tree.folders[0]?.folders[0]?.threads.map((t) => t.thread_id)).toEqual(['t-src']);
      // And the migrated file takes new writes.
      expect((await store.threads.start({ workspace_id: 'ws-old', thread_id: 't-new', folder_id: 'f-top' })).created).toBe(true);
    } finally {
      await store.close();
    }
  });
});
