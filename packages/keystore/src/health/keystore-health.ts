import { join } from 'node:path';
import { DATABASE_FILE_MODE, HOME_DIR_MODE, checkFileModes, databaseFileSet, type FileHealth } from '@cairn/sqlite';
import type { MasterKeySource } from '../key-source/master-key-source.js';

export const KEYSTORE_DB_FILE = 'keystore.db';

export interface KeystoreFileHealth extends FileHealth {
  /** False for files that may legitimately be absent (`-wal`/`-shm` after a clean close, `keystore.key.next`). */
  required: boolean;
}

export interface KeystoreHealthReport {
  /** True when every required file exists and no file is more permissive than its expected mode. */
  ok: boolean;
  keySource: MasterKeySource['kind'];
  files: KeystoreFileHealth[];
}

/**
 * Permissions of everything the keystore keeps: the home (0700), keystore.db with its `-wal`
 * and `-shm` (0600) and the key files (0600). Works on a closed keystore (`cairn verify`).
 */
export function keystoreHealth(home: string, source: MasterKeySource): KeystoreHealthReport {
  const dbPath = join(home, KEYSTORE_DB_FILE);
  const [db, wal, shm] = databaseFileSet(dbPath) as [string, string, string];
  const files = checkExpected([
    { path: home, expectedMode: HOME_DIR_MODE, required: true },
    { path: db, expectedMode: DATABASE_FILE_MODE, required: true },
    { path: wal, expectedMode: DATABASE_FILE_MODE, required: false },
    { path: shm, expectedMode: DATABASE_FILE_MODE, required: false },
    ...keyFilesOf(source),
  ]);
  return { ok: filesOk(files), keySource: source.kind, files };
}

/** The source's key files alone (none for `CAIRN_MASTER_KEY`): what a PostgreSQL keystore keeps on disk. */
export function keyFileHealth(source: MasterKeySource): KeystoreFileHealth[] {
  return checkExpected(keyFilesOf(source));
}

/** True when every required file exists and none is more permissive than its mode. */
export function filesOk(files: readonly KeystoreFileHealth[]): boolean {
  return files.every((f) => f.status === 'ok' || (f.status === 'missing' && !f.required));
}

// The first key file is the current key; the second, if any, a staged rotation.
function keyFilesOf(source: MasterKeySource): Array<{ path: string; expectedMode: number; required: boolean }> {
  return source.files().map((file, index) => ({ ...file, required: index === 0 }));
}

function checkExpected(expected: Array<{ path: string; expectedMode: number; required: boolean }>): KeystoreFileHealth[] {
  return checkFileModes(expected).map((health, index) => ({ ...health, required: expected[index]!.required }));
}
