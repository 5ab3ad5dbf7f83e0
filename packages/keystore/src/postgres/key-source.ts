import { CairnError } from '@cairn/protocol';
import { ensurePrivateDirectory, removeLeftoverTempFiles, type ModeChange } from '@cairn/sqlite';
import { MASTER_KEY_ENV, masterKeySourceFor, readMasterKeyEnv } from '../key-source/env.js';
import { hardenKeyFiles } from '../key-source/file-key-source.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';

/**
 * The master key of a PostgreSQL keystore, found exactly as the SQLite keystore finds it:
 * `CAIRN_MASTER_KEY` when set, else `<home>/keystore.key` (created on first start). The key
 * never goes into the database. Without `home` the variable is required.
 */
export function postgresKeySource(home: string | undefined, envValue: string | undefined = readMasterKeyEnv()): MasterKeySource {
  if (home === undefined && (envValue === undefined || envValue.trim() === '')) {
    throw new CairnError('master_key_invalid', `no master key for the PostgreSQL keystore: set ${MASTER_KEY_ENV}, or pass home (its keystore.key) or keySource`);
  }
  // With the variable set, masterKeySourceFor never looks at the home.
  return masterKeySourceFor(home ?? '', envValue);
}

/** What open does to the home before any key is read, as `openSqliteKeystore` does (only where a key file lives). */
export function prepareKeyHome(home: string | undefined, source: MasterKeySource, report: (changes: readonly ModeChange[]) => void): void {
  if (home !== undefined && source.kind === 'file') {
    report(ensurePrivateDirectory(home));
    report(hardenKeyFiles(source));
    removeLeftoverTempFiles(home);
    return;
  }
  report(hardenKeyFiles(source));
}
