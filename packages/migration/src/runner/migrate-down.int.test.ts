import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { readSchemaListing } from '../fingerprint/schema-listing.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { widgetSet } from '../testing/fixtures/sample-sets.js';
import { columnNames, connectionRestored, query, tableAndIndexNames } from '../testing/fixtures/sql.js';
import { migrateDown } from './migrate-down.js';
import { readMigrationState } from './read-migration-state.js';
import { runMigrations } from './run-migrations.js';
import type { MigrationSet } from './types.js';

const userTables = tableAndIndexNames;

describe.each(BACKENDS)('migrateDown on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await backend.create();
    ds = await db.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('reverts to 0 newest first, and migrates back up to the same schema', async () => {
    await runMigrations(ds, widgetSet());
    const headSchema = await readSchemaListing(ds);
    expect(await migrateDown(ds, widgetSet(), 0)).toEqual({
      service: 'alpha',
      fromVersion: 3,
      toVersion: 0,
      reverted: [
        { version: 3, name: 'create_gadget' },
        { version: 2, name: 'add_widget_color' },
        { version: 1, name: 'create_widget' },
      ],
    });
    expect(await userTables(ds)).toEqual(['schema_migration']);
    expect((await readMigrationState(ds, 'alpha')).applied).toEqual([]);
    expect(await migrateDown(ds, widgetSet(), 0)).toMatchObject({ fromVersion: 0, toVersion: 0, reverted: [] });

    expect(await runMigrations(ds, widgetSet())).toMatchObject({ fromVersion: 0, toVersion: 3 });
    expect(await readSchemaListing(ds)).toEqual(headSchema);
    expect(await connectionRestored(ds)).toBe(true);
  });

  it('stops at the target and leaves other services alone', async () => {
    await runMigrations(ds, widgetSet('alpha'));
    await runMigrations(ds, widgetSet('beta'));
    expect(await migrateDown(ds, widgetSet('alpha'), 1)).toMatchObject({ toVersion: 1, reverted: [{ version: 3 }, { version: 2 }] });
    expect(await query(ds, 'SELECT * FROM alpha_widget')).toEqual([]);
    expect(await columnNames(ds, 'alpha_widget')).toEqual(['id', 'name']);
    expect((await readMigrationState(ds, 'beta')).version).toBe(3);
  });

  it('on a fresh database does nothing', async () => {
    expect(await migrateDown(ds, widgetSet(), 0)).toEqual({ service: 'alpha', fromVersion: 0, toVersion: 0, reverted: [] });
    expect(await userTables(ds)).toEqual([]);
  });

  it('rolls back a failing down migration whole, keeping its bookkeeping row', async () => {
    const [m1, m2] = widgetSet().migrations as [MigrationSet['migrations'][number], MigrationSet['migrations'][number]];
    const brokenDown = ['ALTER TABLE alpha_widget DROP COLUMN color', 'DROP TABLE nope'];
    const set: MigrationSet = { service: 'alpha', migrations: [m1, { ...m2, down: brokenDown, postgres: { up: m2.postgres!.up, down: brokenDown } }] };
    await runMigrations(ds, set);
    const error = (await migrateDown(ds, set, 0).catch((e: unknown) => e)) as { code?: string; message: string; details?: unknown };
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('alpha migration 2 (add_widget_color) failed at down[1]');
    expect(error.details).toMatchObject({ direction: 'down', statementIndex: 1 });
    expect(await columnNames(ds, 'alpha_widget')).toEqual(['id', 'name', 'color']);
    expect((await readMigrationState(ds, 'alpha')).version).toBe(2);
  });
});
