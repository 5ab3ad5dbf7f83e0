import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createTempDatabase, type TempDatabase } from '../testing/fixtures/temp-database.js';
import { rejection } from '../testing/fixtures/rejection.js';
import { widgetSet } from '../testing/fixtures/sample-sets.js';
import { migrationChecksum } from './checksum.js';
import { readMigrationState } from './read-migration-state.js';
import { runMigrations } from './run-migrations.js';
import type { MigrationSet } from './types.js';

async function tables(ds: DataSource): Promise<string[]> {
  const rows = (await ds.query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

async function foreignKeysOn(ds: DataSource): Promise<boolean> {
  return ((await ds.query('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>)[0]?.foreign_keys === 1;
}

describe('runMigrations', () => {
  let db: TempDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = createTempDatabase();
    ds = await db.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('brings a fresh database to the head and records each migration', async () => {
    const set = widgetSet();
    const report = await runMigrations(ds, set);
    expect(report).toEqual({
      service: 'alpha',
      fromVersion: 0,
      toVersion: 3,
      applied: [
        { version: 1, name: 'create_widget' },
        { version: 2, name: 'add_widget_color' },
        { version: 3, name: 'create_gadget' },
      ],
    });
    expect(await tables(ds)).toEqual(['alpha_gadget', 'alpha_widget', 'schema_migration']);
    const state = await readMigrationState(ds, 'alpha');
    expect(state.version).toBe(3);
    expect(state.applied.map((a) => a.checksum)).toEqual(set.migrations.map((m) => migrationChecksum(m)));
    for (const row of state.applied) expect(row.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await foreignKeysOn(ds)).toBe(true);
  });

  it('applies nothing when run again', async () => {
    await runMigrations(ds, widgetSet());
    const before = await readMigrationState(ds, 'alpha');
    expect(await runMigrations(ds, widgetSet())).toEqual({ service: 'alpha', fromVersion: 3, toVersion: 3, applied: [] });
    expect(await readMigrationState(ds, 'alpha')).toEqual(before);
  });

  it('stops at a target version and continues from there later', async () => {
    expect(await runMigrations(ds, widgetSet(), { targetVersion: 2 })).toMatchObject({ fromVersion: 0, toVersion: 2 });
    expect(await tables(ds)).not.toContain('alpha_gadget');
    expect(await runMigrations(ds, widgetSet())).toEqual({
      service: 'alpha',
      fromVersion: 2,
      toVersion: 3,
      applied: [{ version: 3, name: 'create_gadget' }],
    });
    // Never goes down: a target below the current version leaves the database alone.
    expect(await runMigrations(ds, widgetSet(), { targetVersion: 1 })).toMatchObject({ fromVersion: 3, toVersion: 3, applied: [] });
  });

  it.each([4, -1, 1.5])('refuses target version %p with invalid_target', async (targetVersion) => {
    expect((await rejection(runMigrations(ds, widgetSet(), { targetVersion }))).code).toBe('invalid_target');
  });

  it('keeps separate versions for two services in one file', async () => {
    await runMigrations(ds, widgetSet('alpha'));
    await runMigrations(ds, widgetSet('beta'), { targetVersion: 1 });
    expect((await readMigrationState(ds, 'alpha')).version).toBe(3);
    expect((await readMigrationState(ds, 'beta')).version).toBe(1);
    expect(await runMigrations(ds, widgetSet('beta'))).toMatchObject({ fromVersion: 1, toVersion: 3 });
    expect(await runMigrations(ds, widgetSet('alpha'))).toMatchObject({ applied: [] });
    const count = (await ds.query('SELECT service, count(*) AS n FROM schema_migration GROUP BY service ORDER BY service')) as unknown;
    expect(count).toEqual([
      { service: 'alpha', n: 3 },
      { service: 'beta', n: 3 },
    ]);
  });

  it('serialises concurrent runs on one DataSource', async () => {
    const reports = await Promise.all([runMigrations(ds, widgetSet()), runMigrations(ds, widgetSet())]);
    expect(reports.flatMap((r) => r.applied.map((a) => a.version)).sort()).toEqual([1, 2, 3]);
  });

  it('rolls back a failing migration whole and names version, name and statement', async () => {
    const set: MigrationSet = {
      service: 'alpha',
      migrations: [
        widgetSet().migrations[0]!,
        { version: 2, name: 'broken_step', up: ['CREATE TABLE alpha_half (id INTEGER)', 'INSERT INTO no_such_table VALUES (1)'], down: [] },
      ],
    };
    const error = await rejection(runMigrations(ds, set));
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('alpha migration 2 (broken_step) failed at up[1]');
    expect(error.message).toContain('no such table');
    expect(error.details).toMatchObject({ service: 'alpha', version: 2, name: 'broken_step', statementIndex: 1 });
    expect(error.cause).toBeDefined();
    expect(await tables(ds)).toEqual(['alpha_widget', 'schema_migration']);
    expect((await readMigrationState(ds, 'alpha')).applied.map((a) => a.version)).toEqual([1]);
    expect(await foreignKeysOn(ds)).toBe(true);
  });

  it('lets a migration rebuild a referenced table, and checks foreign keys before commit', async () => {
    await runMigrations(ds, widgetSet());
    await ds.query(`INSERT INTO alpha_widget (id, name) VALUES (1, 'w')`);
    await ds.query('INSERT INTO alpha_gadget (id, widget_id) VALUES (10, 1)');
    // SQLite's create-copy-drop-rename: with foreign keys ON the DROP would fail on the gadget row.
    const rebuild = {
      version: 4,
      name: 'widget_name_unique',
      up: [
        'CREATE TABLE alpha_widget_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, color TEXT)',
        'INSERT INTO alpha_widget_new (id, name, color) SELECT id, name, color FROM alpha_widget',
        'DROP TABLE alpha_widget',
        'ALTER TABLE alpha_widget_new RENAME TO alpha_widget',
      ],
      down: [],
    };
    const set4 = { service: 'alpha', migrations: [...widgetSet().migrations, rebuild] };
    expect(await runMigrations(ds, set4)).toMatchObject({ applied: [{ version: 4 }] });
    expect(await ds.query('SELECT widget_id FROM alpha_gadget')).toEqual([{ widget_id: 1 }]);
    expect(await foreignKeysOn(ds)).toBe(true);

    const orphaning = { version: 5, name: 'drop_widget_rows', up: ['DELETE FROM alpha_widget'], down: [] };
    const error = await rejection(runMigrations(ds, { service: 'alpha', migrations: [...set4.migrations, orphaning] }));
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('foreign key violation');
    expect(await ds.query('SELECT count(*) AS n FROM alpha_widget')).toEqual([{ n: 1 }]);
    expect((await readMigrationState(ds, 'alpha')).version).toBe(4);
    expect(await foreignKeysOn(ds)).toBe(true);
  });

  it('fails with lock_failed, leaving the caller\'s open transaction alone', async () => {
    await ds.query('BEGIN IMMEDIATE');
    await ds.query(`CREATE TABLE caller_owned (id INTEGER)`);
    const error = await rejection(runMigrations(ds, widgetSet()));
    expect(error.code).toBe('lock_failed');
    await ds.query('COMMIT');
    expect(await tables(ds)).toEqual(['caller_owned']);
    expect(await foreignKeysOn(ds)).toBe(true);
  });
});
