import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { gatewayMigrations } from '../gateway/index.js';
import { keystoreMigrations } from '../keystore/index.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, POSTGRES_BACKEND, type TestDatabase } from '../testing/fixtures/backends.js';
import { rejection } from '../testing/fixtures/rejection.js';
import { widgetSet } from '../testing/fixtures/sample-sets.js';
import { query } from '../testing/fixtures/sql.js';
import { assertSchemaFingerprint, checkSchemaFingerprint, describeSchemaDifference } from './check-schema-fingerprint.js';
import { readSchemaListing } from './schema-listing.js';

/** The same tampering in each dialect's words. */
const TAMPER = {
  sqlite: {
    dropTrigger: (name: string) => `DROP TRIGGER "${name}"`,
    stubNoDelete: `CREATE TRIGGER "trg_journal_event_no_delete" BEFORE DELETE ON "journal_event" BEGIN SELECT 1; END`,
    reindentedNoUpdate: `CREATE TRIGGER "trg_journal_event_no_update"   BEFORE UPDATE ON "journal_event" BEGIN
        SELECT RAISE(ABORT, 'journal_event is append-only: UPDATE refused');   END`,
    reworded: `CREATE TRIGGER "trg_journal_event_no_update" BEFORE UPDATE ON "journal_event" BEGIN SELECT RAISE(ABORT, 'journal_event is append-only:  UPDATE refused'); END`,
    changedNoDelete: 'changed sql of trigger trg_journal_event_no_delete',
    changedNoUpdate: 'changed sql of trigger trg_journal_event_no_update',
    droppedKeystoreMeta: ['missing table keystore_meta'],
  },
  postgres: {
    dropTrigger: (name: string) => `DROP TRIGGER "${name}" ON "journal_event"`,
    stubNoDelete: `CREATE OR REPLACE FUNCTION "trg_journal_event_no_delete"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$ BEGIN RETURN OLD; END $$`,
    reindentedNoUpdate: `CREATE OR REPLACE FUNCTION "trg_journal_event_no_update"()   RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            RAISE EXCEPTION 'journal_event is append-only: UPDATE refused' USING ERRCODE = 'integrity_constraint_violation';
        END   $$`,
    reworded: `CREATE OR REPLACE FUNCTION "trg_journal_event_no_update"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION 'journal_event is append-only:  UPDATE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$`,
    changedNoDelete: 'changed sql of function trg_journal_event_no_delete()',
    changedNoUpdate: 'changed sql of function trg_journal_event_no_update()',
    droppedKeystoreMeta: ['missing constraint keystore_meta_pkey', 'missing constraint keystore_meta_singleton_check', 'missing table keystore_meta'],
  },
} as const;

describe.each(BACKENDS)('checkSchemaFingerprint on $name', (backend) => {
  const tamper = TAMPER[backend.name];
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await backend.create();
    ds = await db.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  const described = async (set = gatewayMigrations, on = ds) => (await checkSchemaFingerprint(on, set)).differences.map(describeSchemaDifference);

  it('passes a database migrated to head, and one with migrations pending, each against its own version', async () => {
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    expect(await checkSchemaFingerprint(ds, gatewayMigrations)).toMatchObject({ ok: true, version: 3, differences: [] });
    await runMigrations(ds, gatewayMigrations);
    const report = await checkSchemaFingerprint(ds, gatewayMigrations);
    expect(report).toMatchObject({ ok: true, version: gatewayMigrations.migrations.length, differences: [] });
    expect(report.actual).toBe(report.expected);
  });

  it('names the append-only triggers someone dropped, and assertSchemaFingerprint refuses with schema_mismatch', async () => {
    await runMigrations(ds, gatewayMigrations);
    await ds.query(tamper.dropTrigger('trg_journal_event_no_update'));
    await ds.query(tamper.dropTrigger('trg_journal_event_no_delete'));
    expect(await described()).toEqual(['missing trigger trg_journal_event_no_delete', 'missing trigger trg_journal_event_no_update']);
    const error = await rejection(assertSchemaFingerprint(ds, gatewayMigrations));
    expect(error.code).toBe('schema_mismatch');
    expect(error.message).toContain('missing trigger trg_journal_event_no_update');
    expect(error.details).toMatchObject({ service: 'gateway', version: gatewayMigrations.migrations.length });
  });

  it('names an extra index, a changed trigger body and an extra view', async () => {
    await runMigrations(ds, gatewayMigrations);
    await ds.query('CREATE INDEX "idx_sneaky" ON "journal_event" ("payload")');
    if (backend.name === 'sqlite') await ds.query(tamper.dropTrigger('trg_journal_event_no_delete'));
    await ds.query(tamper.stubNoDelete);
    await ds.query('CREATE VIEW "v_events" AS SELECT * FROM "journal_event"');
    expect(await described()).toEqual([tamper.changedNoDelete, 'extra index idx_sneaky', 'extra view v_events']);
  });

  it('does not count re-indenting a statement as a change, but does count a changed string literal', async () => {
    await runMigrations(ds, gatewayMigrations);
    if (backend.name === 'sqlite') await ds.query(tamper.dropTrigger('trg_journal_event_no_update'));
    await ds.query(tamper.reindentedNoUpdate);
    expect(await described()).toEqual([]);
    if (backend.name === 'sqlite') await ds.query(tamper.dropTrigger('trg_journal_event_no_update'));
    await ds.query(tamper.reworded);
    expect(await described()).toEqual([tamper.changedNoUpdate]);
  });

  it('names a table dropped from the keystore and a stray table in an empty database', async () => {
    const keystore = await db.open({ schema: 'cairn_keystore', createSchema: true });
    expect(await described(keystoreMigrations, keystore)).toEqual([]);
    await keystore.query('CREATE TABLE stray (x integer)');
    expect(await described(keystoreMigrations, keystore)).toEqual(['extra table stray']);
    await keystore.query('DROP TABLE stray');
    await runMigrations(keystore, keystoreMigrations);
    await keystore.query('DROP TABLE keystore_meta');
    expect(await described(keystoreMigrations, keystore)).toEqual(tamper.droppedKeystoreMeta);
  });

  it('reports a version without a frozen fingerprint', async () => {
    const set = widgetSet();
    await runMigrations(ds, set);
    const report = await checkSchemaFingerprint(ds, set);
    expect(report.ok).toBe(false);
    expect(report.differences).toEqual([{ kind: 'no_fingerprint', version: 3 }]);
  });

  it('refuses a schema newer than the code before comparing anything', async () => {
    await runMigrations(ds, gatewayMigrations);
    await query(ds, "INSERT INTO schema_migration VALUES ('gateway', 99, 'future', 'x', '2030-01-01T00:00:00.000Z')");
    expect((await rejection(checkSchemaFingerprint(ds, gatewayMigrations))).code).toBe('schema_too_new');
  });
});

describe('checkSchemaFingerprint on postgres only', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await POSTGRES_BACKEND.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations);
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('names a disabled append-only trigger, an UNLOGGED journal, a dropped constraint and a changed default', async () => {
    await ds.query('ALTER TABLE "journal_event" DISABLE TRIGGER "trg_journal_event_no_update"');
    await ds.query('ALTER TABLE "journal_event" SET UNLOGGED');
    await ds.query('ALTER TABLE "journal_event" DROP CONSTRAINT "uq_journal_event_idempotency"');
    await ds.query('ALTER TABLE "journal_event" ALTER COLUMN "hash_version" SET DEFAULT 2');
    expect((await checkSchemaFingerprint(ds, gatewayMigrations)).differences.map(describeSchemaDifference)).toEqual([
      'missing constraint uq_journal_event_idempotency',
      'changed sql of table journal_event',
      'changed sql of trigger trg_journal_event_no_update',
    ]);
  });

  it('does not depend on the name of the schema migrated, and replays without leaving anything behind', async () => {
    const elsewhere = await db.open({ schema: 'cairn_gateway', createSchema: true });
    await runMigrations(elsewhere, gatewayMigrations);
    const report = await checkSchemaFingerprint(elsewhere, gatewayMigrations);
    expect(report).toMatchObject({ ok: true });
    expect(report.actual).toBe((await checkSchemaFingerprint(ds, gatewayMigrations)).actual);
    // A mismatch replays the migrations in a scratch schema, inside a transaction rolled back.
    await elsewhere.query('DROP INDEX "idx_thread_forked_from"');
    expect((await checkSchemaFingerprint(elsewhere, gatewayMigrations)).differences.map(describeSchemaDifference)).toEqual(['missing index idx_thread_forked_from']);
    expect(await ds.query(`SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname LIKE 'cairn_replay_%'`)).toEqual([]);
    expect((await readSchemaListing(ds)).length).toBeGreaterThan(0);
  });
});
