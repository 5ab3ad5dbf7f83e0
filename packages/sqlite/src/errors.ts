/** Every code a `SqliteStorageError` can carry; README.md documents each (a test checks). */
export const SQLITE_ERROR_CODES = [
  'invalid_path',
  'symlink_refused',
  'wal_unavailable',
  'pragma_mismatch',
  'open_failed',
  'busy',
  'storage_failed',
  'constraint_failed',
  'integrity_failed',
  'backup_exists',
  'file_exists',
  'database_in_use',
  'closed',
] as const;

export type SqliteErrorCode = (typeof SQLITE_ERROR_CODES)[number];

/**
 * The one error type that leaves `@cairn/sqlite`. Callers recognise it by `code`, never by
 * `instanceof` (two copies of this module in one process would break that).
 */
export class SqliteStorageError extends Error {
  override readonly name = 'SqliteStorageError';
  readonly code: SqliteErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: SqliteErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** True for a `SqliteStorageError` from any copy of this module. */
export function isSqliteStorageError(error: unknown): error is SqliteStorageError {
  return error instanceof Error && error.name === 'SqliteStorageError' && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * The SQLite result code (`SQLITE_BUSY`, `SQLITE_FULL`, `SQLITE_CONSTRAINT_UNIQUE`, ...) of an
 * error thrown by better-sqlite3 directly or wrapped by TypeORM (`driverError`) or by us (`cause`).
 */
export function sqliteCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * SQLITE_BUSY and SQLITE_LOCKED (and their extended codes) from better-sqlite3 or wrapped by
 * TypeORM, and SQLITE_PROTOCOL: in WAL mode two connections starting a transaction at the
 * same instant race on the wal-index; SQLite retries the loser about 100 times and then
 * gives up with SQLITE_PROTOCOL, which under heavy contention is the same "try again later".
 */
export function isBusyError(error: unknown): boolean {
  const code = sqliteCodeOf(error);
  return code !== undefined && isBusyCode(code);
}

function isBusyCode(code: string): boolean {
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === 'SQLITE_PROTOCOL';
}

/**
 * Wraps an error that came out of SQLite (or TypeORM around it) at the package edge; any other
 * error, including a `SqliteStorageError`, is returned unchanged, so a caller's own exception
 * reaches the caller as thrown.
 */
export function wrapSqliteError(error: unknown, context: string): unknown {
  if (isSqliteStorageError(error)) return error;
  const sqliteCode = sqliteCodeOf(error);
  if (sqliteCode === undefined) return error;
  const message = `${context}: ${error instanceof Error ? error.message : String(error)} (${sqliteCode})`;
  const code: SqliteErrorCode = sqliteCode.startsWith('SQLITE_CONSTRAINT')
    ? 'constraint_failed'
    : isBusyCode(sqliteCode)
      ? 'busy'
      : 'storage_failed';
  return new SqliteStorageError(code, message, { cause: error, details: { sqliteCode } });
}
