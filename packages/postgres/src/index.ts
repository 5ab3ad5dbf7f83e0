export {
  POSTGRES_ERROR_CODES,
  PostgresStorageError,
  isPostgresStorageError,
  pgCodeOf,
  wrapPostgresError,
  type PostgresErrorCode,
} from './errors.js';
export { DATABASE_URL_ENV, databaseUrlFromEnv } from './env.js';
export { openPostgresDatabase, type OpenPostgresOptions } from './open/open-postgres-database.js';
export { MIN_SERVER_VERSION_NUM, readSessionSettings, type PostgresSessionReport } from './open/session-settings.js';
export { redactUrl } from './open/connection-url.js';
export { translatePlaceholders, type TranslatedSql } from './statements/placeholders.js';
export { DEFAULT_MAX_PREPARED_STATEMENTS, type PostgresStatements, type RunResult } from './statements/statements.js';
export { withPostgresSession, type PostgresSession } from './connection/session.js';
export {
  PostgresWritePath,
  type PostgresIsolation,
  type PostgresWriteContext,
  type PostgresWriteOptions,
  type PostgresWritePathOptions,
  type PostgresWriteStats,
  type PostgresWriteWork,
} from './write/write-path.js';
export { DEFAULT_POSTGRES_RETRY, type RetryCause, type RetryPolicy } from './write/retry.js';
export {
  SCHEMA_MIGRATION_LOCK_KEY,
  advisoryTransactionLock,
  tryAdvisoryTransactionLock,
  withAdvisoryLock,
  type AdvisoryLockOptions,
} from './locks/advisory-lock.js';
export { checkPostgresHealth, type PostgresHealth, type PostgresHealthOptions, type PostgresPoolStats } from './health/check-health.js';
export {
  AMCHECK_SCHEMA,
  checkPostgresIntegrity,
  type AmcheckStatus,
  type PostgresIntegrityChecks,
  type PostgresIntegrityFinding,
  type PostgresIntegrityFindingKind,
  type PostgresIntegrityOptions,
  type PostgresIntegrityResult,
} from './integrity/check-integrity.js';
export { createPostgresNotifier, type PostgresNotifier, type PostgresNotifierOptions } from './notify/notifier.js';
