import { closeSync, existsSync, fsyncSync, openSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { SqliteStorageError, isSqliteStorageError } from '../errors.js';
import { commitTempFile, createTempFile, discardTempFile } from '../files/durable-file.js';
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
  /**
   * The caller's own check of the finished copy, given a read-only DataSource on it, before
   * the copy gets its final name (e.g. its schema version against this build's migrations).
   * Throwing refuses the backup: the copy is deleted and the error reaches the caller as thrown.
   */
  check?: (copy: DataSource) => Promise<void>;
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
 * progress.)
 *
 * The copy is built under a temp name (`.<name>.<pid>-<hex>.cairn-tmp`), switched to
 * rollback-journal mode (one self-contained file), fsynced, checked, and only then linked to
 * its final name (never over an existing file) and the directory fsynced. So a file under a
 * final backup name is always complete and checked; a backup killed half-way leaves only a
 * temp, which `removeLeftoverTempFiles(dir)` recognises and removes.
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
  // Checked again, atomically, by the link at the end; this only saves copying for nothing.
  if (existsSync(path)) throw backupExists(path);
  const temp = createTempFile(path, DATABASE_FILE_MODE);
  closeSync(temp.fd);
  let refusal: { error: unknown } | undefined;
  try {
    const pages = await copySnapshot(source, temp.path, Math.max(1, Math.floor(options.pagesPerStep ?? 256)));
    finishCopy(temp.path);
    const verify = options.verify ?? 'quick';
    if (verify !== false) {
      const check = await checkDatabaseFile(temp.path, verify);
      if (!check.ok) {
        throw new SqliteStorageError('integrity_failed', `backup of ${source} failed its integrity check`, { details: { problems: check.problems } });
      }
    }
    if (options.check) refusal = await runCallerCheck(temp.path, options.check);
    if (refusal) throw refusal.error;
    const bytes = statSync(temp.path).size;
    try {
      commitTempFile(temp.path, path, 'create');
    } catch (error) {
      if (isSqliteStorageError(error) && error.code === 'file_exists') throw backupExists(path);
      throw error;
    }
    return { path, pages, bytes, takenAt: taken.toISOString() };
  } catch (error) {
    discardTempFile(temp.path);
    if (isSqliteStorageError(error) || (refusal && error === refusal.error)) throw error;
    throw new SqliteStorageError('storage_failed', `backup to ${path} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** `2025-01-31T12:00:00.123Z` → `20250131T120000.123Z`: sortable, no colons. */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

function backupExists(path: string): SqliteStorageError {
  return new SqliteStorageError('backup_exists', `a backup already exists at ${path}`, { details: { path } });
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

/** Rollback-journal mode (no `-wal` needed beside the copy) and the bytes on disk before any check or rename. */
function finishCopy(path: string): void {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Runs the caller's check on a read-only DataSource over the copy; what it throws comes back as a refusal, unwrapped. */
async function runCallerCheck(path: string, check: (copy: DataSource) => Promise<void>): Promise<{ error: unknown } | undefined> {
  const copy = new DataSource({ type: 'better-sqlite3', database: path, driver: Database, readonly: true, fileMustExist: true, entities: [] });
  await copy.initialize();
  try {
    await check(copy);
    return undefined;
  } catch (error) {
    return { error };
  } finally {
    await copy.destroy();
  }
}
