import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { keystoreMigrations } from './index.js';

describe('keystore migrations', () => {
  let dir: string;
  let ds: DataSource;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-keystore-migration-'));
    ds = await openSqliteDatabase({ path: join(dir, 'keystore.db') });
  });
  afterEach(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const tables = async (): Promise<string[]> =>
    ((await ds.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'keystore_%' ORDER BY name")) as Array<{ name: string }>).map(
      (r) => r.name,
    );

  it('creates the meta and secret tables under the keystore service, and is idempotent', async () => {
    const first = await runMigrations(ds, keystoreMigrations);
    expect(first).toMatchObject({ service: 'keystore', fromVersion: 0, toVersion: 2 });
    expect(await tables()).toEqual(['keystore_journal_checkpoint', 'keystore_meta', 'keystore_secret']);
    const again = await runMigrations(ds, keystoreMigrations);
    expect(again.applied).toEqual([]);
  });

  it('enforces one meta row and the nonce/tag sizes', async () => {
    await runMigrations(ds, keystoreMigrations);
    const meta = "INSERT INTO keystore_meta VALUES (?, 1, 'k', x'00', x'00', x'00', 't', NULL)";
    await ds.query(meta, [1]);
    await expect(ds.query(meta, [2])).rejects.toThrow(/CHECK/);
    const secret = "INSERT INTO keystore_secret VALUES ('s', 'i', 'generic', NULL, 1, 't', 't', 'k', ?, x'00', ?)";
    await expect(ds.query(secret, [Buffer.alloc(11), Buffer.alloc(16)])).rejects.toThrow(/CHECK/);
    await expect(ds.query(secret, [Buffer.alloc(12), Buffer.alloc(15)])).rejects.toThrow(/CHECK/);
    await ds.query(secret, [Buffer.alloc(12), Buffer.alloc(16)]);
  });

  it('adds the checkpoint table to a v1 file with secrets, which survive; down drops only it', async () => {
    await runMigrations(ds, keystoreMigrations, { targetVersion: 1 });
    await ds.query("INSERT INTO keystore_secret VALUES ('s', 'i', 'generic', NULL, 1, 't', 't', 'k', ?, x'00', ?)", [Buffer.alloc(12), Buffer.alloc(16)]);
    expect((await runMigrations(ds, keystoreMigrations)).applied.map((m) => m.version)).toEqual([2]);
    expect(await tables()).toEqual(['keystore_journal_checkpoint', 'keystore_meta', 'keystore_secret']);
    const row = "INSERT INTO keystore_journal_checkpoint VALUES (NULL, ?, 't', 'ws', ?, 1, 'h', NULL, 'k', 's')";
    await ds.query(row, ['interval', 1]);
    await expect(ds.query(row, ['weekly', 1])).rejects.toThrow(/CHECK/);
    await expect(ds.query(row, ['restore', -1])).rejects.toThrow(/CHECK/);
    await migrateDown(ds, keystoreMigrations, 1);
    expect(await tables()).toEqual(['keystore_meta', 'keystore_secret']);
    expect(await ds.query('SELECT service, id FROM keystore_secret')).toEqual([{ service: 's', id: 'i' }]);
  });

  it('migrates down to an empty schema', async () => {
    await runMigrations(ds, keystoreMigrations);
    await migrateDown(ds, keystoreMigrations, 0);
    expect(await tables()).toEqual([]);
  });
});
