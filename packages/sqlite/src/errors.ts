/**
 * The one error type that leaves `@cairn/sqlite`. Callers recognise it by `code`, never by
 * `instanceof` (two copies of this module in one process would break that).
 */
export type SqliteErrorCode =
  | 'invalid_path'
  | 'wal_unavailable'
  | 'pragma_mismatch'
  | 'open_failed'
  | 'busy'
  | 'storage_failed'
  | 'integrity_failed'
  | 'closed';

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

/** SQLITE_BUSY and SQLITE_LOCKED (and their extended codes) from better-sqlite3 or wrapped by TypeORM. */
export function isBusyError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) return true;
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
