import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { checkSchemaFingerprint, describeSchemaDifference, isMigrationError, type MigrationSet } from '@cairn/migration';
import { CairnError } from '@cairn/protocol';
import { openSqliteDatabase, quickCheck } from '@cairn/sqlite';

/** TypeORM's DataSource, named through the sqlite package (the gateway does not import typeorm). */
type DataSource = Parameters<typeof quickCheck>[0];

export interface PreflightOptions {
  /** Run `PRAGMA quick_check` (the `storage.startup_check` setting). */
  quickCheck: boolean;
}

/**
 * What every start checks on an existing database before anything migrates it or reads a
 * record: `quick_check` (unless turned off), then that its schema is one this build knows and
 * exactly what the migrations made at its version. Refuses with `integrity_failed` naming the
 * file and each problem; a newer schema stays `schema_too_new`. A file that is missing or
 * empty (a first start, or one that crashed before SQLite wrote a page) has nothing to check.
 *
 * The connection is read-write only so that a file in rollback-journal mode (a backup copied
 * into place) can be switched to WAL, as the store's own open would do; nothing else is written.
 */
export async function preflightDatabase(path: string, set: MigrationSet, options: PreflightOptions): Promise<void> {
  if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) === 0) return;
  // Before the connection opens: closing a descriptor of the file drops every POSIX lock this
  // process holds on it, a live connection's included (see @cairn/sqlite hardenDatabaseFiles).
  if (options.quickCheck) for (const file of [path, `${path}-wal`]) warmPageCache(file);
  const ds = await openSqliteDatabase({ path });
  try {
    if (options.quickCheck) await assertQuickCheck(ds, path);
    await assertSchemaAsMigrated(ds, path, set);
  } finally {
    await ds.destroy();
  }
}

/** The schema half of the preflight, for a connection already open (the store's, after it migrated). */
export async function assertSchemaAsMigrated(ds: DataSource, path: string, set: MigrationSet): Promise<void> {
  const report = await checkSchemaFingerprint(ds, set).catch((error: unknown) => {
    throw refusalOf(error, path);
  });
  if (report.ok) return;
  const differences = report.differences.map(describeSchemaDifference);
  throw new CairnError(
    'integrity_failed',
    `${path}: the ${set.service} schema is not what its migrations make at version ${report.version}: ${differences.join('; ')}; ` +
      'refusing to start (run `cairn doctor`; restore from backups/ or undo the hand edit)',
    { details: { database: path, reason: 'schema_mismatch', version: report.version, differences } },
  );
}

/** The runner's refusals at the gateway edge: a newer schema stays `schema_too_new`; bookkeeping that contradicts the code is `integrity_failed`. */
function refusalOf(error: unknown, path: string): unknown {
  if (!isMigrationError(error)) return error;
  const message = `${path}: ${error.message}`;
  if (error.code === 'schema_too_new') return new CairnError('schema_too_new', message, { cause: error, details: { database: path, ...error.details } });
  if (error.code === 'checksum_mismatch' || error.code === 'migration_gap') {
    return new CairnError('integrity_failed', message, { cause: error, details: { database: path, reason: error.code, ...error.details } });
  }
  return error;
}

async function assertQuickCheck(ds: DataSource, path: string): Promise<void> {
  const result = await quickCheck(ds);
  if (result.ok) return;
  const shown = result.problems.slice(0, 5).join('; ') + (result.problems.length > 5 ? `; and ${result.problems.length - 5} more` : '');
  throw new CairnError('integrity_failed', `${path} failed quick_check: ${shown}; refusing to start (nothing was written; run \`cairn doctor\`)`, {
    details: { database: path, reason: 'quick_check', problems: result.problems },
  });
}

/**
 * Reads the file once, front to back. quick_check walks the b-trees page by page in tree
 * order, which on a cold cache is random I/O: on the measured 1 GB file, 13.8 s cold, but
 * 1.8 s of sequential read + 0.5 s of check once the pages are cached (see the README). The
 * pages read are the ones quick_check reads anyway, so this costs no extra cache.
 */
function warmPageCache(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // no -wal after a clean close; a problem with the main file surfaces in the check
  }
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/**
 * crud's edge turns every storage failure into `storage_failed: the storage layer failed;
 * nothing was written`, keeping the original as `cause`. At start the operator needs the
 * file and the reason, so they are put back into the message and `details`.
 */
export function explainStartupFailure(error: unknown, path: string): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'storage_failed' || typeof message !== 'string') return error;
  // The first cause is the storage package's own error, whose message names the operation and the file.
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause instanceof Error ? cause.message : undefined;
  if (reason === undefined || reason === '' || reason === message) return error;
  const where = reason.includes(path) ? reason : `${path}: ${reason}`;
  return new CairnError('storage_failed', `${message} (${where})`, { cause: error, details: { database: path, reason } });
}

