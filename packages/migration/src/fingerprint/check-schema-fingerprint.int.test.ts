import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { gatewayMigrations } from '../gateway/index.js';
import { keystoreMigrations } from '../keystore/index.js';
import { runMigrations } from '../runner/run-migrations.js';
import { rejection } from '../testing/fixtures/rejection.js';
import { widgetSet } from '../testing/fixtures/sample-sets.js';
import { createTempDatabase, type TempDatabase } from '../testing/fixtures/temp-database.js';
import { assertSchemaFingerprint, checkSchemaFingerprint, describeSchemaDifference } from './check-schema-fingerprint.js';

describe('checkSchemaFingerprint', () => {
  let db: TempDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = createTempDatabase();
    ds = await db.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  const described = async (set = gatewayMigrations) => (await checkSchemaFingerprint(ds, set)).differences.map(describeSchemaDifference);

  it('passes a file migrated to head, and one with migrations pending, each against its own version', async () => {
    await runMigrations(ds, gatewayMigrations, { targetVersion: 3 });
    expect(await checkSchemaFingerprint(ds, gatewayMigrations)).toMatchObject({ ok: true, version: 3, differences: [] });
    await runMigrations(ds, gatewayMigrations);
    const report = await checkSchemaFingerprint(ds, gatewayMigrations);
    expect(report).toMatchObject({ ok: true, version: gatewayMigrations.migrations.length, differences: [] });
    expect(report.actual).toBe(report.expected);
  });

  it('names the append-only triggers someone dropped, and assertSchemaFingerprint refuses with schema_mismatch', async () => {
    await runMigrations(ds, gatewayMigrations);
    await ds.query('DROP TRIGGER "trg_journal_event_no_update"');
    await ds.query('DROP TRIGGER "trg_journal_event_no_delete"');
    expect(await described()).toEqual(['missing trigger trg_journal_event_no_delete', 'missing trigger trg_journal_event_no_update']);
    const error = await rejection(assertSchemaFingerprint(ds, gatewayMigrations));
    expect(error.code).toBe('schema_mismatch');
    expect(error.message).toContain('missing trigger trg_journal_event_no_update');
    expect(error.details).toMatchObject({ service: 'gateway', version: gatewayMigrations.migrations.length });
  });

  it('names an extra index, a changed trigger body and an extra view', async () => {
    await runMigrations(ds, gatewayMigrations);
    await ds.query('CREATE INDEX "idx_sneaky" ON "journal_event" ("payload")');
    await ds.query('DROP TRIGGER "trg_journal_event_no_delete"');
    await ds.query(`CREATE TRIGGER "trg_journal_event_no_delete" BEFORE DELETE ON "journal_event" BEGIN SELECT 1; END`);
    await ds.query('CREATE VIEW "v_events" AS SELECT * FROM "journal_event"');
    expect(await described()).toEqual(['changed sql of trigger trg_journal_event_no_delete', 'extra index idx_sneaky', 'extra view v_events']);
  });

  it('does not count re-indenting a statement as a change, but does count a changed string literal', async () => {
    await runMigrations(ds, gatewayMigrations);
    await ds.query('DROP TRIGGER "trg_journal_event_no_update"');
    await ds.query(`CREATE TRIGGER "trg_journal_event_no_update"   BEFORE UPDATE ON "journal_event" BEGIN
        SELECT RAISE(ABORT, 'journal_event is append-only: UPDATE refused');   END`);
    expect(await described()).toEqual([]);
    await ds.query('DROP TRIGGER "trg_journal_event_no_update"');
    await ds.query(`CREATE TRIGGER "trg_journal_event_no_update" BEFORE UPDATE ON "journal_event" BEGIN SELECT RAISE(ABORT, 'journal_event is append-only:  UPDATE refused'); END`);
    expect(await described()).toEqual(['changed sql of trigger trg_journal_event_no_update']);
  });

  it('names a table dropped from keystore.db and a stray table in an empty file', async () => {
    expect(await described(keystoreMigrations)).toEqual([]);
    await ds.query('CREATE TABLE stray (x)');
    expect(await described(keystoreMigrations)).toEqual(['extra table stray']);
    await ds.query('DROP TABLE stray');
    await runMigrations(ds, keystoreMigrations);
    await ds.query('DROP TABLE keystore_meta');
    expect(await described(keystoreMigrations)).toEqual(['missing table keystore_meta']);
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
    await ds.query("INSERT INTO schema_migration VALUES ('gateway', 99, 'future', 'x', '2030-01-01T00:00:00.000Z')");
    expect((await rejection(checkSchemaFingerprint(ds, gatewayMigrations))).code).toBe('schema_too_new');
  });
});
