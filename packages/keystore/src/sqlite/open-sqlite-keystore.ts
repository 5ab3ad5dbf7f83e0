import { join } from 'node:path';
import { assertSchemaFingerprint, keystoreMigrations, runMigrations } from '@cairn/migration';
import { CairnError } from '@cairn/protocol';
import { SqliteWriteCoordinator, ensurePrivateDirectory, openSqliteDatabase, removeLeftoverTempFiles } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import type { ModeChange } from '@cairn/sqlite';
import { wrapKeystoreError } from '../errors/keystore-errors.js';
import { KEYSTORE_DB_FILE } from '../health/keystore-health.js';
import { masterKeySourceFor } from '../key-source/env.js';
import { hardenKeyFiles } from '../key-source/file-key-source.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import { reconcileMasterKey } from '../store/reconcile-master-key.js';
import { SqliteKeystore } from './sqlite-keystore.js';
import { createSqliteStorage } from './sqlite-storage.js';

export interface OpenSqliteKeystoreOptions {
  /** The runtime home; keystore.db and keystore.key live directly inside it. */
  home: string;
  /** Default: `CAIRN_MASTER_KEY` when set, else `<home>/keystore.key`. */
  keySource?: MasterKeySource;
  now?: () => Date;
  /** Told about every permission tightened on the home, keystore.db and the key files, so the caller can log it. */
  onModeChange?: (change: ModeChange) => void;
}

/**
 * Opens (creating on first start) `<home>/keystore.db`: home tightened to at most 0700, the file,
 * its `-wal`/`-shm` and the key files to at most 0600 (never loosened, never through a
 * symlink: `symlink_refused`; each change passed to `onModeChange`), the schema checked
 * against its frozen fingerprint (`integrity_failed` naming each difference) before and after
 * it is migrated under the `keystore` service, the master key checked
 * against the database (a wrong key fails here with `master_key_invalid`, before any secret is
 * read) and any interrupted rotation settled. Leftover temp files of writes a crash
 * interrupted (`.keystore.key.<pid>-<hex>.cairn-tmp`) are removed first.
 *
 * keystore.db runs with `synchronous=FULL`: writes are rare, and a rotation's COMMIT must be on
 * disk before the new key file replaces the old one. `secure_delete=ON` zeroes freed pages, so
 * an old ciphertext does not linger in the file after an update or delete.
 */
export async function openSqliteKeystore(options: OpenSqliteKeystoreOptions): Promise<SqliteKeystore> {
  const { home } = options;
  const now = options.now ?? (() => new Date());
  const path = join(home, KEYSTORE_DB_FILE);
  const opened: DataSource[] = [];
  try {
    const source = options.keySource ?? masterKeySourceFor(home);
    const report = (changes: readonly ModeChange[]) => changes.forEach((change) => options.onModeChange?.(change));
    report(ensurePrivateDirectory(home));
    // Before any key is read: a key file that is a link is refused, never read through.
    report(hardenKeyFiles(source));
    // What a write killed half-way left (a key file that never got its name): never read, safe to drop.
    removeLeftoverTempFiles(home);
    const writer = await openSqliteDatabase({ path, synchronous: 'FULL', onModeChange: options.onModeChange });
    opened.push(writer);
    await enableSecureDelete(writer);
    // Exactly what the migrations made, at the version found (a drifted file is never migrated) and after.
    await assertSchemaFingerprint(writer, keystoreMigrations);
    const migrated = await runMigrations(writer, keystoreMigrations);
    if (migrated.applied.length > 0) await assertSchemaFingerprint(writer, keystoreMigrations);
    const reader = await openSqliteDatabase({ path, readonly: true });
    opened.push(reader);
    const storage = createSqliteStorage(writer, reader, new SqliteWriteCoordinator(writer, { maxBatch: 1 }));
    const key = await storage.withKeyLock((scope) => reconcileMasterKey(scope, source, now(), KEYSTORE_DB_FILE));
    report(hardenKeyFiles(source));
    return new SqliteKeystore({ home, path, storage, source, key, now });
  } catch (error) {
    for (const ds of opened.reverse()) if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    throw wrapKeystoreError(error, `cannot open keystore in ${home}`);
  }
}

async function enableSecureDelete(dataSource: DataSource): Promise<void> {
  await dataSource.query('PRAGMA secure_delete = ON');
  const rows = (await dataSource.query('PRAGMA secure_delete')) as Array<{ secure_delete: number }>;
  if (Number(rows[0]?.secure_delete) !== 1) throw new CairnError('storage_failed', 'cannot enable secure_delete on keystore.db');
}
