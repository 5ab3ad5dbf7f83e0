/**
 * Every way the runner refuses or fails. Stable strings: the CLI and the gateway's start-up
 * path branch on them, and `schema_too_new` / `checksum_mismatch` are also protocol codes.
 */
export type MigrationErrorCode =
  /** The database holds a version of the service newer than the newest migration in code. */
  | 'schema_too_new'
  /** An applied migration's stored checksum differs from the code's: a frozen migration was edited. */
  | 'checksum_mismatch'
  /** The schema objects (tables, indexes, triggers, views) are not exactly what the migrations made at the recorded version. */
  | 'schema_mismatch'
  /** Versions (in code or in the database) are not exactly 1..n: a gap or a duplicate. */
  | 'migration_gap'
  /** A statement of a migration failed; the whole migration was rolled back. */
  | 'migration_failed'
  /** The write lock could not be taken (another writer held it past the busy timeout, or a transaction was already open). */
  | 'lock_failed'
  /** `targetVersion` is not an integer between 0 and the newest migration. */
  | 'invalid_target'
  /** No locking strategy exists for this `DataSource` type. */
  | 'unsupported_database';

/** Recognise by `code`, never by `instanceof` (two copies of this module in one process would break it). */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code: MigrationErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: MigrationErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** True when `error` carries a migration error code (optionally a specific one), whichever copy of this module made it. */
export function isMigrationError(error: unknown, code?: MigrationErrorCode): error is MigrationError {
  if (typeof error !== 'object' || error === null) return false;
  const actual = (error as { code?: unknown }).code;
  if (typeof actual !== 'string') return false;
  return code === undefined ? MIGRATION_ERROR_CODES.has(actual) : actual === code;
}

const MIGRATION_ERROR_CODES: ReadonlySet<string> = new Set<MigrationErrorCode>([
  'schema_too_new',
  'checksum_mismatch',
  'schema_mismatch',
  'migration_gap',
  'migration_failed',
  'lock_failed',
  'invalid_target',
  'unsupported_database',
]);
