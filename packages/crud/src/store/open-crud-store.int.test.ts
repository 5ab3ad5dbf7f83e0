import { afterEach, expect, it } from '@jest/globals';
import { describeSqlite } from '../testing/backend.js';
import { MIGRATION_TABLE, gatewayMigrations } from '@cairn/migration';
import { openSqliteDatabase } from '@cairn/sqlite';
import { openCrudStore } from './open-crud-store.js';
import { makeTempDir, openTempStore, type TempDir, type TempStore } from '../testing/temp-store.js';
import { expectCode } from '../testing/expect-error.js';

// SQLite's opener itself: file modes, the schema check of a file, its handles.
describeSqlite('openCrudStore', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  const temp = async (): Promise<TempStore> => {
    const t = await openTempStore({}, 'sqlite');
    cleanups.push(t.cleanup);
    return t;
  };
  const dir = (): TempDir => {
    const d = makeTempDir();
    cleanups.push(d.remove);
    return d;
  };

  it('migrates a new file to head and leaves the entities matching the migrated schema', async () => {
    const { store } = await temp();
    expect(store.migration).toMatchObject({ service: 'gateway', fromVersion: 0, toVersion: gatewayMigrations.migrations.length });
    // The entity metadata and the frozen SQL must describe the same schema: TypeORM's schema
    // builder would emit DDL for any difference (column, type, nullability, index, FK, unique).
    const pending = await store.sqlite!.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has a schema check that notices a difference (the check above is not vacuous)', async () => {
    const { store } = await temp();
    await store.context.write((ctx) => ctx.run('DROP INDEX "idx_thread_forked_from"'));
    const pending = await store.sqlite!.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query).join('\n')).toMatch(/CREATE INDEX "idx_thread_forked_from"/);
  });

  it('re-opens an existing file without migrating again and keeps its data', async () => {
    const d = dir();
    const first = await openCrudStore({ path: d.path });
    const ws = await first.workspaces.create({ name: 'Keep me' });
    await first.close();
    const second = await openCrudStore({ path: d.path });
    cleanups.push(() => second.close());
    expect(second.migration.applied).toEqual([]);
    expect(await second.workspaces.get({ workspace_id: ws.workspace_id })).toEqual(ws);
  });

  it('refuses a database whose schema is newer than this build', async () => {
    const d = dir();
    await (await openCrudStore({ path: d.path })).close();
    const ds = await openSqliteDatabase({ path: d.path });
    await ds.query(`INSERT INTO ${MIGRATION_TABLE} (service, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)`, [
      'gateway',
      gatewayMigrations.migrations.length + 1,
      'from_the_future',
      'x',
      new Date().toISOString(),
    ]);
    await ds.destroy();
    const error = await expectCode(openCrudStore({ path: d.path }), 'schema_too_new');
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('schema_too_new');
  });

  it('never lets a read see a write that has not committed', async () => {
    const { store } = await temp();
    const ws = await store.workspaces.create({ name: 'W' });
    let seenInside: unknown;
    await store.context.write(async (ctx) => {
      await ctx.run('UPDATE workspace SET name = ? WHERE workspace_id = ?', ['Uncommitted', ws.workspace_id]);
      seenInside = (await store.workspaces.get({ workspace_id: ws.workspace_id })).name;
    });
    expect(seenInside).toBe('W');
    expect((await store.workspaces.get({ workspace_id: ws.workspace_id })).name).toBe('Uncommitted');
  });

  it('reads through a read-only connection', async () => {
    const { store } = await temp();
    await expect(store.sqlite!.readDataSource.query('CREATE TABLE nope (x TEXT)')).rejects.toThrow(/readonly/i);
  });

  it('closes idempotently and then refuses work with storage_failed', async () => {
    const { store } = await temp();
    await store.close();
    await store.close();
    await expectCode(store.workspaces.create({ name: 'late' }), 'storage_failed');
    await expectCode(store.workspaces.list(), 'storage_failed');
  });
});
