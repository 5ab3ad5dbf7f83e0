import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableNames } from '../testing/fixtures/sql.js';
import { keystoreMigrations } from './index.js';

describe.each(BACKENDS)('keystore migrations on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeEach(async () => {
    db = await backend.create('keystore.db');
    // On PostgreSQL the keystore lives in its own schema.
    ds = await db.open({ schema: 'cairn_keystore', createSchema: true });
  });
  afterEach(async () => {
    await db.cleanup();
  });

  const tables = async (): Promise<string[]> => (await tableNames(ds)).filter((n) => n.startsWith('keystore_'));
  const blob = (n: number) => Buffer.alloc(n);
  const META = 'INSERT INTO keystore_meta VALUES (?, 1, ?, ?, ?, ?, ?, NULL)';
  const SECRET = "INSERT INTO keystore_secret VALUES ('s', 'i', 'generic', NULL, 1, 't', 't', 'k', ?, ?, ?)";

  it('creates the meta and secret tables under the keystore service, and is idempotent', async () => {
    const first = await runMigrations(ds, keystoreMigrations);
    expect(first).toMatchObject({ service: 'keystore', fromVersion: 0, toVersion: 2 });
    expect(await tables()).toEqual(['keystore_journal_checkpoint', 'keystore_meta', 'keystore_secret']);
    const again = await runMigrations(ds, keystoreMigrations);
    expect(again.applied).toEqual([]);
  });

  it('enforces one meta row and the nonce/tag sizes', async () => {
    await runMigrations(ds, keystoreMigrations);
    await query(ds, META, [1, 'k', blob(1), blob(1), blob(1), 't']);
    await expect(query(ds, META, [2, 'k', blob(1), blob(1), blob(1), 't'])).rejects.toThrow(backend.violates.check);
    await expect(query(ds, SECRET, [blob(11), blob(1), blob(16)])).rejects.toThrow(backend.violates.check);
    await expect(query(ds, SECRET, [blob(12), blob(1), blob(15)])).rejects.toThrow(backend.violates.check);
    await query(ds, SECRET, [blob(12), blob(1), blob(16)]);
    expect(Buffer.from((await query<Array<{ nonce: Uint8Array }>>(ds, 'SELECT nonce FROM keystore_secret'))[0]!.nonce)).toEqual(blob(12));
  });

  it('adds the checkpoint table to a v1 database with secrets, which survive; down drops only it', async () => {
    await runMigrations(ds, keystoreMigrations, { targetVersion: 1 });
    await query(ds, SECRET, [blob(12), blob(1), blob(16)]);
    expect((await runMigrations(ds, keystoreMigrations)).applied.map((m) => m.version)).toEqual([2]);
    expect(await tables()).toEqual(['keystore_journal_checkpoint', 'keystore_meta', 'keystore_secret']);
    // The keystore writes checkpoint_id itself (max + 1): PostgreSQL has no rowid to fill in a NULL.
    const row = "INSERT INTO keystore_journal_checkpoint VALUES (?, ?, 't', 'ws', ?, 1, 'h', NULL, 'k', 's')";
    await query(ds, row, [1, 'interval', 1]);
    await expect(query(ds, row, [2, 'weekly', 1])).rejects.toThrow(backend.violates.check);
    await expect(query(ds, row, [3, 'restore', -1])).rejects.toThrow(backend.violates.check);
    await migrateDown(ds, keystoreMigrations, 1);
    expect(await tables()).toEqual(['keystore_meta', 'keystore_secret']);
    expect(await query(ds, 'SELECT service, id FROM keystore_secret')).toEqual([{ service: 's', id: 'i' }]);
  });

  it('migrates down to an empty schema', async () => {
    await runMigrations(ds, keystoreMigrations);
    await migrateDown(ds, keystoreMigrations, 0);
    expect(await tables()).toEqual([]);
  });
});
