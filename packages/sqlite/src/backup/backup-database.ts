import { chmodSync, closeSync, fsyncSync, openSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { SqliteStorageError, isSqliteStorageError } from '../errors.js';
import { DATABASE_FILE_MODE, ensurePrivateDirectory } from '../files/permissions.js';
import { nativeHandle } from '../open/native.js';
import { checkDatabaseFile, type IntegrityMode } from '../integrity/check-integrity.js';

export interface BackupOptions {
  /** Directory for the backup; created 0700 if missing (the runtime home's `backups/`). */
  dir: string;
  /** Clock for the file name. Default: now. */
  now?: () => Date;
  /** Pages copied per step; the event loop runs between steps. Default 256. */
  pagesPerStep?: number;
  /**
   * Check the finished copy (`quick_check` or `integrity_check`) and delete it if it fails;
   * `false` skips. Default `'quick'`. The check runs on the calling thread and blocks it for
   * time linear in the size of the copy.
   */
  verify?: IntegrityMode | false;
}

export interface BackupResult {
  path: string;
  /** Pages in the copy. */
  pages: number;
  bytes: number;
  /** The UTC instant in the file name, ISO 8601. */
  takenAt: string;
}

/**
 * Writes `<dir>/<basename>-<UTC timestamp>.db` with SQLite's online backup API while writers
 * keep writing. The copy is read through a second, read-only connection that holds one read
 * transaction from the first page to the last: in WAL mode that pins a snapshot, so the copy
 * is exactly the database as of one commit, and writers are never blocked. (Backing up
 * through the writer's own connection would copy uncommitted pages of a transaction in
 * progress.) The copy is switched to rollback-journal mode, so it is one self-contained file,
 * created 0600 and never over an existing file.
 */
export async function backupDatabase(dataSource: DataSource, options: BackupOptions): Promise<BackupResult> {
  nativeHandle(dataSource); // asserts the source is open
  const source = dataSource.options.database;
  if (typeof source !== 'string' || source === '' || source === ':memory:') {
    throw new SqliteStorageError('invalid_path', 'only a database file can be backed up, not an in-memory database');
  }
  ensurePrivateDirectory(options.dir);
  const taken = (options.now ?? (() => new Date()))();
  const path = join(options.dir, `${basename(source, extname(source))}-${fileStamp(taken)}.db`);
  createExclusive(path);
  try {
    const pages = await copySnapshot(source, path, Math.max(1, Math.floor(options.pagesPerStep ?? 256)));
    finishCopy(path);
    const verify = options.verify ?? 'quick';
    if (verify !== false) {
      const check = await checkDatabaseFile(path, verify);
      if (!check.ok) {
        throw new SqliteStorageError('integrity_failed', `backup ${path} failed its integrity check`, { details: { problems: check.problems } });
      }
    }
    return { path, pages, bytes: statSync(path).size, takenAt: taken.toISOString() };
  } catch (error) {
    for (const file of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
    if (isSqliteStorageError(error)) throw error;
    throw new SqliteStorageError('storage_failed', `backup to ${path} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** `2025-01-31T12:00:00.123Z` → `20250131T120000.123Z`: sortable, no colons. */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

/** O_EXCL: two backups in the same millisecond, or a name reused by hand, never overwrite one another. */
function createExclusive(path: string): void {
  try {
    closeSync(openSync(path, 'wx', DATABASE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SqliteStorageError('backup_exists', `a backup already exists at ${path}`, { details: { path } });
    }
    throw new SqliteStorageError('storage_failed', `cannot create backup file ${path}`, { cause: error });
  }
}

async function copySnapshot(source: string, target: string, pagesPerStep: number): Promise<number> {
  const reader = new Database(source, { readonly: true, fileMustExist: true });
  try {
    reader.exec('BEGIN');
    // A deferred BEGIN takes its snapshot at the first read; take it now, before the first step.
    reader.prepare('SELECT count(*) FROM sqlite_master').get();
    const progress = await reader.backup(target, { progress: () => pagesPerStep });
    reader.exec('COMMIT');
    return progress.totalPages;
  } finally {
    reader.close();
  }
}

/** Rollback-journal mode (no `-wal` needed beside the copy), 0600, and on disk before we answer. */
function finishCopy(path: string): void {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
  chmodSync(path, DATABASE_FILE_MODE);
  fsyncPath(path, 'r+');
  fsyncPath(dirname(path), 'r');
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
