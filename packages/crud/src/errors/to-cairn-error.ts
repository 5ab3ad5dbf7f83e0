import { CairnError, isCairnError } from '@cairn/protocol';
import { isMigrationError } from '@cairn/migration';
import { isBusyError } from '@cairn/sqlite';

/**
 * The crud edge: every infrastructure failure leaves as a `CairnError` (`busy` when another
 * writer held the lock too long, `schema_too_new` for a database from a newer build,
 * `storage_failed` otherwise) with the original as `cause`.
 * Errors are recognised by `name`/`code`, never `instanceof`. A CairnError passes through;
 * anything unrecognised (a bug, e.g. a TypeError) is rethrown untouched so it is not
 * disguised as a storage failure.
 */
export function toCairnError(error: unknown): unknown {
  if (isCairnError(error)) return error;
  if (isMigrationError(error, 'schema_too_new')) {
    return new CairnError('schema_too_new', 'gateway.db was written by a newer Cairn; refusing to open it', { cause: error });
  }
  if (isBusyError(error) || (error as { code?: unknown } | null)?.code === 'busy' || isContention(error)) {
    return new CairnError('busy', 'the database is locked by another writer; retry', { cause: error });
  }
  if (isStorageCode(error, 'commit_unknown')) {
    // The connection died during COMMIT: the change may have landed. Only the client can tell
    // (a retry with the same idempotency key answers the first result, or writes it now).
    return new CairnError('commit_unknown', 'the database connection was lost during COMMIT: the change may or may not have landed; retry with the same idempotency key', { cause: error });
  }
  if ((error as { code?: unknown } | null)?.code === 'constraint_failed' || isStorageCode(error, 'constraint')) {
    // A unique or foreign-key constraint the domain code did not pre-check: the record's
    // state forbids the change, which is what `conflict` means to a client.
    return new CairnError('conflict', 'the change conflicts with existing records', { cause: error });
  }
  if (isInfrastructureError(error)) {
    return new CairnError('storage_failed', 'the storage layer failed; nothing was written', { cause: error });
  }
  return error;
}

/** A `…StorageError` (any storage package) with this code. */
function isStorageCode(error: unknown, code: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown };
  return typeof e.name === 'string' && e.name.endsWith('StorageError') && e.code === code;
}

/**
 * PostgreSQL's ways of saying "another writer was in the way": a serialization failure or a
 * deadlock that outlasted the write path's retries, a lock not granted within `lock_timeout`.
 * Retrying later is the answer, as for SQLite's busy.
 */
function isContention(error: unknown): boolean {
  return isStorageCode(error, 'serialization_failure') || isStorageCode(error, 'deadlock') || isStorageCode(error, 'lock_timeout');
}

function isInfrastructureError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  // Any storage package's error class (`SqliteStorageError`, a PostgreSQL one named alike), the drivers' own.
  if (name === 'QueryFailedError' || name === 'SqliteError' || (typeof name === 'string' && name.endsWith('StorageError'))) return true;
  if (name === 'MigrationError') return true;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}
