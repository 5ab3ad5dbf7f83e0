export {
  SQLITE_ERROR_CODES,
  SqliteStorageError,
  isBusyError,
  isSqliteStorageError,
  sqliteCodeOf,
  type SqliteErrorCode,
} from './errors.js';
export {
  openSqliteDatabase,
  readPragmas,
  type OpenSqliteOptions,
  type SqlitePragmaReport,
  type SynchronousLevel,
} from './open/open-sqlite-database.js';
export { createStatements, nativeHandle, type NativeDatabase, type RunResult, type SqliteStatements } from './open/native.js';
export { validateDatabasePath } from './files/validate-path.js';
export {
  DATABASE_FILE_MODE,
  HOME_DIR_MODE,
  assertNoSymlinks,
  checkFileModes,
  databaseFileHealth,
  databaseFileSet,
  ensurePrivateDirectory,
  hardenDatabaseFiles,
  tightenFile,
  type FileHealth,
  type FileHealthStatus,
  type HardenOptions,
  type ModeChange,
} from './files/permissions.js';
export {
  commitTempFile,
  createTempFile,
  discardTempFile,
  writeFileDurably,
  type CommitMode,
  type DurableWriteOptions,
  type TempFile,
} from './files/durable-file.js';
export { TEMP_FILE_SUFFIX, listTempFiles, removeLeftoverTempFiles, type TempFileEntry } from './files/temp-files.js';
export { fsyncDirectory } from './files/fsync-directory.js';
export {
  SqliteWriteCoordinator,
  type TryWriteResult,
  type WriteContext,
  type WriteCoordinatorOptions,
  type WriteCoordinatorStats,
  type WriteWork,
} from './write/write-coordinator.js';
export { DEFAULT_RETRY, type RetryPolicy } from './write/backoff.js';
export {
  checkDatabaseFile,
  integrityCheck,
  quickCheck,
  type IntegrityCheckOptions,
  type IntegrityMode,
  type IntegrityResult,
} from './integrity/check-integrity.js';
export { backupDatabase, type BackupOptions, type BackupResult } from './backup/backup-database.js';
export { openBackupDatabase } from './backup/open-backup.js';
export {
  holdDatabaseExclusively,
  restoreDatabase,
  type DatabaseHold,
  type RestoreDatabaseOptions,
  type RestoreResult,
} from './backup/restore-database.js';
