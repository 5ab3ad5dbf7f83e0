import { closeSync, existsSync, fsyncSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SqliteStorageError, isSqliteStorageError, sqliteCodeOf } from '../errors.js';
import { commitTempFile, createTempFile, discardTempFile } from '../files/durable-file.js';
import { DATABASE_FILE_MODE } from '../files/permissions.js';
import { checkDatabaseFile, type IntegrityMode } from '../integrity/check-integrity.js';
import type { NativeDatabase } from '../open/native.js';

/** A database file taken away from every other connection until `release()`. */
export interface DatabaseHold {
  readonly path: string;
  release(): void;
}

/**
 * Takes `path` for this process alone, or refuses with `database_in_use` at once (no wait).
 * It switches the file out of WAL mode, which SQLite only allows when no other connection has
 * it open (every WAL connection keeps a shared lock on the file while open, even idle: so a
 * running gateway is seen however quiet it is), then holds an EXCLUSIVE lock (locking_mode
 * EXCLUSIVE, `BEGIN EXCLUSIVE`), so nothing can open it until release. The next normal open
 * switches it back to WAL. A file already in rollback mode has no WAL connection on it.
 */
export function holdDatabaseExclusively(path: string): DatabaseHold {
  let db: NativeDatabase | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
    const mode = String(db.pragma('journal_mode = DELETE', { simple: true }));
    if (mode !== 'delete') throw new SqliteStorageError('storage_failed', `${path} stayed in journal_mode ${mode}`);
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db?.close();
    if (sqliteCodeOf(error)?.startsWith('SQLITE_BUSY') || sqliteCodeOf(error)?.startsWith('SQLITE_LOCKED')) {
      throw new SqliteStorageError('database_in_use', `${path} is open in another process (a running gateway?): stop it first`, { cause: error, details: { path } });
    }
    if (isSqliteStorageError(error)) throw error;
    throw new SqliteStorageError('open_failed', `cannot take ${path}: ${(error as Error).message}`, { cause: error, details: { path } });
  }
  const held = db;
  return {
    path,
    release() {
      if (!held.open) return;
      try {
        if (held.inTransaction) held.exec('ROLLBACK');
      } finally {
        held.close();
      }
    },
  };
}

export interface RestoreDatabaseOptions {
  /** Check the copy before it takes the name: `'quick'` (default), `'full'` or `false`. */
  verify?: IntegrityMode | false;
  /**
   * Runs after the copy is complete, fsynced and checked, while `target` is still held and
   * still the old file: what must be durable before the swap (a restore marker). Throwing
   * refuses the restore: the copy is removed, the old file is untouched.
   */
  beforeCommit?: () => Promise<void>;
}

export interface RestoreResult {
  path: string;
  bytes: number;
}

/**
 * Puts a copy of `backup` (a self-contained, rollback-mode file as `backupDatabase` writes it)
 * in place of `target`, crash-safely: `target` is held (`holdDatabaseExclusively`: refused
 * while any other process has it open), the bytes are copied to a temp file beside it (0600,
 * `O_EXCL`), fsynced, checked, then `beforeCommit` runs, then a stale `-wal`/`-shm`/`-journal`
 * of `target` is removed (SQLite would otherwise replay an old WAL into the new file) and the
 * temp is renamed over `target` and the directory fsynced. A crash before the rename leaves the
 * old file (and a temp the next sweep removes); after it, the restored one. A missing `target`
 * is created (link: never over a file that appeared meanwhile).
 */
export async function restoreDatabase(backup: string, target: string, options: RestoreDatabaseOptions = {}): Promise<RestoreResult> {
  if (!existsSync(backup)) throw new SqliteStorageError('invalid_path', `no backup at ${backup}`, { details: { path: backup } });
  const replacing = existsSync(target);
  const hold = replacing ? holdDatabaseExclusively(target) : undefined;
  let temp: string | undefined;
  try {
    const file = createTempFile(target, DATABASE_FILE_MODE);
    temp = file.path;
    try {
      copyInto(backup, file.fd);
      fsyncSync(file.fd);
    } finally {
      closeSync(file.fd);
    }
    const verify = options.verify ?? 'quick';
    if (verify !== false) {
      const check = await checkDatabaseFile(temp, verify);
      if (!check.ok) throw new SqliteStorageError('integrity_failed', `backup ${backup} failed its integrity check`, { details: { problems: check.problems } });
    }
    await options.beforeCommit?.();
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(target + suffix, { force: true });
    const bytes = statSync(temp).size;
    commitTempFile(temp, target, replacing ? 'replace' : 'create');
    temp = undefined;
    return { path: target, bytes };
  } catch (error) {
    if (temp) discardTempFile(temp);
    throw error;
  } finally {
    hold?.release();
  }
}

/** Positional copy in 1 MiB steps: a backup may be gigabytes, and the temp is new (no shared offset). */
function copyInto(source: string, fd: number): void {
  const input = openSync(source, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  try {
    for (let offset = 0; ; ) {
      const read = readSync(input, buffer, 0, buffer.byteLength, offset);
      if (read === 0) return;
      for (let written = 0; written < read; ) written += writeSync(fd, buffer, written, read - written, offset + written);
      offset += read;
    }
  } finally {
    closeSync(input);
  }
}
