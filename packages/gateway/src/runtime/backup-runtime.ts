import { existsSync, statSync } from 'node:fs';
import { assertSchemaCompatible, gatewayMigrations, keystoreMigrations } from '@cairn/migration';
import { CairnError } from '@cairn/protocol';
import { backupDatabase, openSqliteDatabase, removeLeftoverTempFiles, type BackupResult } from '@cairn/sqlite';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { refuseOnPostgres } from '../postgres/postgres-target.js';

/**
 * `cairn backup`: an online backup of every database of the home into `<home>/backups/`,
 * consistent while a gateway writes. Each copy is built under a temp name, checked
 * (`quick_check`, then its schema against this build's migrations: a copy newer than the
 * code, or one whose applied migrations do not match, is refused with `schema_too_new` /
 * `checksum_mismatch` and deleted) and only then given its `gateway-<ts>.db` name. Leftovers
 * of a backup killed half-way are removed first.
 *
 * A home that is not a directory, does not exist, or holds neither database is refused with
 * `invalid_params`: a cron job with a mistyped home must fail, not report "nothing to do".
 */
export async function backupRuntime(options: RuntimeOptions = {}): Promise<BackupResult[]> {
  const { paths, backend } = resolveRuntime(options);
  if (backend.kind === 'postgres') refuseOnPostgres(backend, 'backup');
  assertHomeToBackUp(paths.home);
  const databases = [
    { path: paths.gatewayDb, set: gatewayMigrations },
    { path: paths.keystoreDb, set: keystoreMigrations },
  ].filter((db) => existsSync(db.path));
  if (databases.length === 0) {
    throw new CairnError('invalid_params', `runtime home ${paths.home} holds no gateway.db or keystore.db: nothing to back up`, { details: { home: paths.home } });
  }
  removeLeftoverTempFiles(paths.backupsDir);
  const results: BackupResult[] = [];
  for (const { path, set } of databases) {
    const source = await openSqliteDatabase({ path, readonly: true });
    try {
      results.push(await backupDatabase(source, { dir: paths.backupsDir, check: async (copy) => void (await assertSchemaCompatible(copy, set)) }));
    } finally {
      await source.destroy();
    }
  }
  return results;
}

function assertHomeToBackUp(home: string): void {
  const stat = statSync(home, { throwIfNoEntry: false });
  if (!stat) throw new CairnError('invalid_params', `runtime home ${home} does not exist: nothing to back up`, { details: { home } });
  if (!stat.isDirectory()) throw new CairnError('invalid_params', `runtime home ${home} is not a directory`, { details: { home } });
}
