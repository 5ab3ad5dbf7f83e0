import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { SqliteStorageError } from '../errors.js';
import { assertSafePath } from './validate-path.js';

export const DATABASE_FILE_MODE = 0o600;
export const HOME_DIR_MODE = 0o700;

/** The database file and the two siblings SQLite creates beside it in WAL mode. */
export function databaseFileSet(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`];
}

/**
 * Tightens the database file and any existing `-wal`/`-shm` to 0600. A sibling that vanishes
 * between listing and chmod (another process closed the last connection and SQLite removed
 * its WAL) is not an error.
 */
export function hardenDatabaseFiles(path: string): void {
  for (const file of databaseFileSet(path)) {
    try {
      chmodSync(file, DATABASE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SqliteStorageError('open_failed', `cannot restrict permissions of ${file}`, { cause: error });
      }
    }
  }
}

/** Creates the runtime home (recursively) and forces it to 0700, whatever the umask. */
export function ensurePrivateDirectory(dir: string): void {
  assertSafePath(dir, 'directory');
  try {
    mkdirSync(dir, { recursive: true, mode: HOME_DIR_MODE });
    chmodSync(dir, HOME_DIR_MODE);
  } catch (cause) {
    throw new SqliteStorageError('open_failed', `cannot create private directory ${dir}`, { cause });
  }
  if (!statSync(dir).isDirectory()) throw new SqliteStorageError('invalid_path', `not a directory: ${dir}`);
}

export type FileHealthStatus = 'ok' | 'missing' | 'too_permissive';

export interface FileHealth {
  path: string;
  status: FileHealthStatus;
  /** Octal permission bits, e.g. "600"; absent when the file is missing. */
  mode?: string;
  expectedMode: string;
}

/**
 * Reports each file as ok, missing or too_permissive (any bit beyond `expectedMode`).
 * `-wal` and `-shm` legitimately vanish after a clean close, so callers decide whether
 * `missing` matters for them.
 */
export function checkFileModes(files: ReadonlyArray<{ path: string; expectedMode: number }>): FileHealth[] {
  return files.map(({ path, expectedMode }) => {
    const expected = expectedMode.toString(8);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return { path, status: 'missing', expectedMode: expected };
    const mode = stat.mode & 0o777;
    const status: FileHealthStatus = (mode & ~expectedMode) === 0 ? 'ok' : 'too_permissive';
    return { path, status, mode: mode.toString(8), expectedMode: expected };
  });
}

/** The health report for one database: the file itself, its WAL and shared-memory files. */
export function databaseFileHealth(path: string): FileHealth[] {
  return checkFileModes(databaseFileSet(path).map((p) => ({ path: p, expectedMode: DATABASE_FILE_MODE })));
}
