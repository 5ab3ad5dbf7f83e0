import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { readSchemaListing } from '../fingerprint/schema-listing.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { rejection } from '../testing/fixtures/rejection.js';
import { widgetSet } from '../testing/fixtures/sample-sets.js';
import { query, tableNames } from '../testing/fixtures/sql.js';
import { assertSchemaCompatible } from './assert-schema-compatible.js';
import { migrateDown } from './migrate-down.js';
import { readMigrationState } from './read-migration-state.js';
import { runMigrations } from './run-migrations.js';
import type { MigrationSet } from './types.js';

/**
 * Everything a write could change: the schema, the bookkeeping rows, and on SQLite the bytes
 * of the file and its WAL (on PostgreSQL also the schemas of the database: the runner creates
 * a missing one on the way up).
 */
async function snapshot(ds: DataSource, db: TestDatabase): Promise<unknown> {
  const digest = (file: string) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null);
  const common = {
    schema: await readSchemaListing(ds),
    rows: (await tableNames(ds)).includes('schema_migration') ? await query(ds, 'SELECT * FROM schema_migration ORDER BY service, version') : [],
  };
  if (db.dialect === 'postgres') {
    return { ...common, schemas: (await ds.query('SELECT nspname FROM pg_catalog.pg_namespace ORDER BY nspname')) as unknown };
  }
  return { ...common, db: digest(db.location), wal: digest(`${db.location}-wal`) };
}

describe.each(BACKENDS)('runner refusals on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await backend.create();
    ds = await db.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it.each([
    ['a gap', [1, 3]],
    ['a duplicate', [1, 2, 2]],
  ])('refuses a set with %s before touching the database', async (_label, versions) => {
    const all = widgetSet().migrations;
    const set: MigrationSet = { service: 'alpha', migrations: versions.map((v, i) => ({ ...all[i]!, version: v })) };
    const before = await snapshot(ds, db);
    expect((await rejection(runMigrations(ds, set))).code).toBe('migration_gap');
    expect((await rejection(assertSchemaCompatible(ds, set))).code).toBe('migration_gap');
    expect(await snapshot(ds, db)).toEqual(before);
  });

  it('refuses an applied migration whose SQL or name changed, naming the version', async () => {
    await runMigrations(ds, widgetSet(), { targetVersion: 2 });
    const [m1, m2, m3] = widgetSet().migrations as [MigrationSet['migrations'][number], MigrationSet['migrations'][number], MigrationSet['migrations'][number]];
    const colour = ['ALTER TABLE alpha_widget ADD COLUMN colour TEXT'];
    const edited: MigrationSet = { service: 'alpha', migrations: [m1, { ...m2, up: colour, postgres: { up: colour, down: m2.down } }, m3] };
    const before = await snapshot(ds, db);
    const error = await rejection(runMigrations(ds, edited));
    expect(error.code).toBe('checksum_mismatch');
    expect(error.message).toContain('alpha migration 2 (add_widget_color)');
    expect(error.details).toMatchObject({ service: 'alpha', version: 2 });
    expect((await rejection(assertSchemaCompatible(ds, edited))).code).toBe('checksum_mismatch');
    expect((await rejection(migrateDown(ds, edited, 0))).code).toBe('checksum_mismatch');
    const renamed: MigrationSet = { service: 'alpha', migrations: [{ ...m1, name: 'make_widget' }, m2, m3] };
    expect((await rejection(runMigrations(ds, renamed))).details).toMatchObject({ version: 1 });
    expect(await snapshot(ds, db)).toEqual(before);
  });

  it('refuses a schema newer than the code, naming both versions, and writes nothing', async () => {
    await runMigrations(ds, widgetSet());
    const older: MigrationSet = { service: 'alpha', migrations: widgetSet().migrations.slice(0, 2) };
    const before = await snapshot(ds, db);
    for (const attempt of [runMigrations(ds, older), assertSchemaCompatible(ds, older), migrateDown(ds, older, 0)]) {
      const error = await rejection(attempt);
      expect(error.code).toBe('schema_too_new');
      expect(error.message).toContain('version 3');
      expect(error.message).toContain('version 2');
      expect(error.details).toEqual({ service: 'alpha', databaseVersion: 3, codeVersion: 2 });
    }
    expect(await snapshot(ds, db)).toEqual(before);
    // Another service in the same file is unaffected.
    expect(await runMigrations(ds, widgetSet('beta'))).toMatchObject({ toVersion: 3 });
  });

  it('refuses a database whose applied versions have a hole', async () => {
    await runMigrations(ds, widgetSet());
    await query(ds, `DELETE FROM schema_migration WHERE service = 'alpha' AND version = 2`);
    const error = await rejection(runMigrations(ds, widgetSet()));
    expect(error.code).toBe('migration_gap');
    expect(error.message).toContain('1, 3');
  });

  it('reports compatibility without writing anything, pending migrations included', async () => {
    expect(await assertSchemaCompatible(ds, widgetSet())).toEqual({ service: 'alpha', currentVersion: 0, latestVersion: 3 });
    expect(await readMigrationState(ds, 'alpha')).toEqual({ service: 'alpha', version: 0, applied: [] });
    expect(await tableNames(ds)).toEqual([]);
    await runMigrations(ds, widgetSet(), { targetVersion: 1 });
    expect(await assertSchemaCompatible(ds, widgetSet())).toEqual({ service: 'alpha', currentVersion: 1, latestVersion: 3 });
  });
});
