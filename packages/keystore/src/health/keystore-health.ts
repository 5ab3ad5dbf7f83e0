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
  const keyFiles = source.files();
  const expected = [
    { path: home, expectedMode: HOME_DIR_MODE, required: true },
    { path: db, expectedMode: DATABASE_FILE_MODE, required: true },
    { path: wal, expectedMode: DATABASE_FILE_MODE, required: false },
    { path: shm, expectedMode: DATABASE_FILE_MODE, required: false },
    // The first key file is the current key; the second, if any, a staged rotation.
    ...keyFiles.map((file, index) => ({ ...file, required: index === 0 })),
  ];
  const checked = checkFileModes(expected);
  const files = checked.map((health, index) => ({ ...health, required: expected[index]!.required }));
  const ok = files.every((f) => f.status === 'ok' || (f.status === 'missing' && !f.required));
  return { ok, keySource: source.kind, files };
}
