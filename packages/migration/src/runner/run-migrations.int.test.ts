import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { rejection } from '../testing/fixtures/rejection.js';
import { widgetSet } from '../testing/fixtures/sample-sets.js';
import { connectionRestored, query, tableNames } from '../testing/fixtures/sql.js';
import { migrationChecksum } from './checksum.js';
import { readMigrationState } from './read-migration-state.js';
import { runMigrations } from './run-migrations.js';
import type { MigrationSet } from './types.js';

describe.each(BACKENDS)('runMigrations on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await backend.create();
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
    expect(await tableNames(ds)).toEqual(['alpha_gadget', 'alpha_widget', 'schema_migration']);
    const state = await readMigrationState(ds, 'alpha');
    expect(state.version).toBe(3);
    expect(state.applied.map((a) => a.checksum)).toEqual(set.migrations.map((m) => migrationChecksum(m, backend.name)));
    for (const row of state.applied) expect(row.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await connectionRestored(ds)).toBe(true);
  });

  it('applies nothing when run again', async () => {
    await runMigrations(ds, widgetSet());
    const before = await readMigrationState(ds, 'alpha');
    expect(await runMigrations(ds, widgetSet())).toEqual({ service: 'alpha', fromVersion: 3, toVersion: 3, applied: [] });
    expect(await readMigrationState(ds, 'alpha')).toEqual(before);
  });

  it('stops at a target version and continues from there later', async () => {
    expect(await runMigrations(ds, widgetSet(), { targetVersion: 2 })).toMatchObject({ fromVersion: 0, toVersion: 2 });
    expect(await tableNames(ds)).not.toContain('alpha_gadget');
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

  it('keeps separate versions for two services in one database', async () => {
    await runMigrations(ds, widgetSet('alpha'));
    await runMigrations(ds, widgetSet('beta'), { targetVersion: 1 });
    expect((await readMigrationState(ds, 'alpha')).version).toBe(3);
    expect((await readMigrationState(ds, 'beta')).version).toBe(1);
    expect(await runMigrations(ds, widgetSet('beta'))).toMatchObject({ fromVersion: 1, toVersion: 3 });
    expect(await runMigrations(ds, widgetSet('alpha'))).toMatchObject({ applied: [] });
    const count = await query<Array<{ service: string; n: number | string }>>(ds, 'SELECT service, count(*) AS n FROM schema_migration GROUP BY service ORDER BY service');
    expect(count.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([
      { service: 'alpha', n: 3 },
      { service: 'beta', n: 3 },
    ]);
  });

  it('serialises concurrent runs on one DataSource', async () => {
    const reports = await Promise.all([runMigrations(ds, widgetSet()), runMigrations(ds, widgetSet())]);
    expect(reports.flatMap((r) => r.applied.map((a) => a.version)).sort()).toEqual([1, 2, 3]);
  });

  it('rolls back a failing migration whole and names version, name and statement', async () => {
    const failing = ['CREATE TABLE alpha_half (id INTEGER)', 'INSERT INTO no_such_table VALUES (1)'];
    const set: MigrationSet = {
      service: 'alpha',
      migrations: [widgetSet().migrations[0]!, { version: 2, name: 'broken_step', up: failing, down: [], postgres: { up: failing, down: [] } }],
    };
    const error = await rejection(runMigrations(ds, set));
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('alpha migration 2 (broken_step) failed at up[1]');
    expect(error.message).toMatch(backend.violates.missingTable);
    expect(error.details).toMatchObject({ service: 'alpha', version: 2, name: 'broken_step', statementIndex: 1 });
    expect(error.cause).toBeDefined();
    expect(await tableNames(ds)).toEqual(['alpha_widget', 'schema_migration']);
    expect((await readMigrationState(ds, 'alpha')).applied.map((a) => a.version)).toEqual([1]);
    expect(await connectionRestored(ds)).toBe(true);
  });

  it('fails a migration that leaves a dangling reference, before it commits', async () => {
    await runMigrations(ds, widgetSet());
    await query(ds, `INSERT INTO alpha_widget (id, name) VALUES (1, 'w')`);
    await query(ds, 'INSERT INTO alpha_gadget (id, widget_id) VALUES (10, 1)');
    const orphaning = { version: 4, name: 'drop_widget_rows', up: ['DELETE FROM alpha_widget'], down: [], postgres: { up: ['DELETE FROM alpha_widget'], down: [] } };
    const error = await rejection(runMigrations(ds, { service: 'alpha', migrations: [...widgetSet().migrations, orphaning] }));
    expect(error.code).toBe('migration_failed');
    // SQLite: the foreign_key_check before COMMIT (foreign keys are off during the migration);
    // PostgreSQL: the statement itself.
    expect(error.message).toMatch(backend.name === 'sqlite' ? /foreign key violation/ : backend.violates.foreignKey);
    expect(Number((await query<Array<{ n: number | string }>>(ds, 'SELECT count(*) AS n FROM alpha_widget'))[0]!.n)).toBe(1);
    expect((await readMigrationState(ds, 'alpha')).version).toBe(3);
    expect(await connectionRestored(ds)).toBe(true);
  });
});

describe('runMigrations on sqlite only', () => {
  const backend = BACKENDS.find((b) => b.name === 'sqlite')!;
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await backend.create();
    ds = await db.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('lets a migration rebuild a referenced table (foreign keys are off during it)', async () => {
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
    expect(await runMigrations(ds, { service: 'alpha', migrations: [...widgetSet().migrations, rebuild] })).toMatchObject({ applied: [{ version: 4 }] });
    expect(await ds.query('SELECT widget_id FROM alpha_gadget')).toEqual([{ widget_id: 1 }]);
    expect(await connectionRestored(ds)).toBe(true);
  });

  it("fails with lock_failed, leaving the caller's open transaction alone", async () => {
    await ds.query('BEGIN IMMEDIATE');
    await ds.query(`CREATE TABLE caller_owned (id INTEGER)`);
    const error = await rejection(runMigrations(ds, widgetSet()));
    expect(error.code).toBe('lock_failed');
    await ds.query('COMMIT');
    expect(await tableNames(ds)).toEqual(['caller_owned']);
    expect(await connectionRestored(ds)).toBe(true);
  });
});
