import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { gatewayMigrations } from '../gateway/index.js';
import { keystoreMigrations } from '../keystore/index.js';
import { POSTGRES_BACKEND, type TestDatabase } from '../testing/fixtures/backends.js';
import { rejection } from '../testing/fixtures/rejection.js';
import { widgetSet } from '../testing/fixtures/sample-sets.js';
import { tableNames } from '../testing/fixtures/sql.js';
import { migrateDown } from './migrate-down.js';
import { readMigrationState } from './read-migration-state.js';
import { runMigrations } from './run-migrations.js';

// What only PostgreSQL has: several DataSources (pools) on one database, schemas, and a lock
// that other sessions can hold. (SQLite's multi-writer race runs in child processes: two
// better-sqlite3 connections in one thread would wait on each other synchronously.)
describe('the runner on PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await POSTGRES_BACKEND.create();
    ds = await db.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('applies each migration once when three runs on two DataSources race on one database', async () => {
    const other = await db.open();
    const reports = await Promise.all([runMigrations(ds, widgetSet()), runMigrations(other, widgetSet()), runMigrations(ds, widgetSet())]);
    expect(reports.flatMap((r) => r.applied.map((a) => a.version)).sort()).toEqual([1, 2, 3]);
    expect((await readMigrationState(other, 'alpha')).version).toBe(3);
  });

  it('keeps the gateway in public and the keystore in its own schema, each with its own schema_migration', async () => {
    const keystore = await db.open({ schema: 'cairn_keystore', createSchema: true });
    await runMigrations(ds, gatewayMigrations);
    expect(await runMigrations(keystore, keystoreMigrations)).toMatchObject({ fromVersion: 0, toVersion: 2 });
    expect(await tableNames(keystore)).toEqual(['keystore_journal_checkpoint', 'keystore_meta', 'keystore_secret', 'schema_migration']);
    expect(await tableNames(ds)).not.toContain('keystore_meta');
    expect((await readMigrationState(ds, 'keystore')).version).toBe(0);
    expect((await readMigrationState(keystore, 'gateway')).version).toBe(0);
    expect((await readMigrationState(keystore, 'keystore')).version).toBe(2);
    await migrateDown(keystore, keystoreMigrations, 0);
    expect(await tableNames(keystore)).toEqual(['schema_migration']);
    expect((await readMigrationState(ds, 'gateway')).version).toBe(gatewayMigrations.migrations.length);
  });

  it('creates the schema the DataSource names, under its lock, and migrates it even when the search_path finds another schema_migration first', async () => {
    await runMigrations(ds, widgetSet('alpha'));
    // Not through openPostgresDatabase (which insists on an existing schema): a DataSource
    // whose schema option names a schema that does not exist, on connections searching public.
    const other = new DataSource({ type: 'postgres', url: db.location, schema: 'cairn_other', poolSize: 2 });
    await other.initialize();
    try {
      expect(await readMigrationState(other, 'alpha')).toMatchObject({ version: 0 });
      expect(await runMigrations(other, widgetSet('alpha'))).toMatchObject({ fromVersion: 0, toVersion: 3 });
      expect(await other.query(`SELECT count(*)::int AS n FROM cairn_other.schema_migration`)).toEqual([{ n: 3 }]);
      expect(await other.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'cairn_other' ORDER BY 1`)).toEqual(
        ['alpha_gadget', 'alpha_widget', 'schema_migration'].map((tablename) => ({ tablename })),
      );
      expect((await readMigrationState(ds, 'alpha')).version).toBe(3);
    } finally {
      await other.destroy();
    }
  });

  it('waits for the migration lock another session holds, then applies', async () => {
    const holder = ds.createQueryRunner();
    await holder.query('BEGIN');
    await holder.query(`SELECT pg_advisory_xact_lock(hashtext('cairn.schema_migration'))`);
    const other = await db.open();
    let done = false;
    const run = runMigrations(other, widgetSet()).finally(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    expect(await tableNames(ds)).toEqual([]);
    await holder.query('COMMIT');
    await holder.release();
    expect(await run).toMatchObject({ toVersion: 3 });
  });

  it('fails with lock_failed when the lock is held past lock_timeout, and leaves nothing behind', async () => {
    const holder = ds.createQueryRunner();
    await holder.query('BEGIN');
    await holder.query(`SELECT pg_advisory_xact_lock(hashtext('cairn.schema_migration'))`);
    const impatient = await db.open({ lockTimeoutMs: 100 });
    try {
      const error = await rejection(runMigrations(impatient, widgetSet()));
      expect(error.code).toBe('lock_failed');
      expect(error.message).toMatch(/lock timeout/);
    } finally {
      await holder.query('COMMIT');
      await holder.release();
    }
    expect(await tableNames(ds)).toEqual([]);
  });
});
