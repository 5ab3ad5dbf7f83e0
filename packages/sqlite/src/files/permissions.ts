import { chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, type Stats } from 'node:fs';
import { SqliteStorageError } from '../errors.js';
import { assertSafePath } from './validate-path.js';

export const DATABASE_FILE_MODE = 0o600;
export const HOME_DIR_MODE = 0o700;

/** One permission change hardening made (or, with `dryRun`, would make). Modes are octal strings, e.g. "755". */
export interface ModeChange {
  path: string;
  from: string;
  to: string;
}

export interface HardenOptions {
  /** Change nothing; return what would change (what `cairn doctor` shows). */
  dryRun?: boolean;
}

/** The database file and the two siblings SQLite creates beside it in WAL mode. */
export function databaseFileSet(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`];
}

/**
 * Tightens the database file and any existing `-wal`/`-shm` to at most 0600, and returns
 * what it changed. A sibling that vanishes between listing and the change (another process
 * closed the last connection and SQLite removed its WAL) is not an error; a symlink is
 * (`symlink_refused`), whatever it points at.
 *
 * These files are changed by path, never through a descriptor of ours: POSIX advisory locks
 * belong to the process, and closing ANY descriptor of a file drops every lock the process
 * holds on it, those of a live SQLite connection included. Another process could then take
 * the database as if nobody had it open, and truncate `-shm` under this process's mapping
 * (SIGBUS; seen with two processes migrating one fresh file). The link check is an lstat
 * right before the chmod; what remains is a link swapped in between, which needs write
 * access to the 0700 home (the same window SQLite's own open has).
 */
export function hardenDatabaseFiles(path: string, options: HardenOptions = {}): ModeChange[] {
  const changes: ModeChange[] = [];
  for (const file of databaseFileSet(path)) {
    const change = tightenDatabaseFile(file, options);
    if (change) changes.push(change);
  }
  return changes;
}

/**
 * Creates a missing database file 0600 (O_EXCL: a file that does not exist yet is held by no
 * connection, so opening it here is safe), or tightens an existing one by path (see
 * `hardenDatabaseFiles`). Returns the change made to an existing file.
 */
export function createDatabaseFile(path: string): ModeChange | undefined {
  try {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, DATABASE_FILE_MODE);
    try {
      fchmodSync(fd, DATABASE_FILE_MODE); // whatever the umask made of the create mode
    } finally {
      closeSync(fd);
    }
    return undefined;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return tightenDatabaseFile(path, {});
    if (code === 'ELOOP') throw symlinkRefused(path);
    throw new SqliteStorageError('open_failed', `cannot create database file ${path}: ${(cause as Error).message}`, { cause, details: { path } });
  }
}

function tightenDatabaseFile(path: string, options: HardenOptions): ModeChange | undefined {
  const stat = lstatOrUndefined(path);
  if (!stat) return undefined;
  if (stat.isSymbolicLink()) throw symlinkRefused(path);
  if (!stat.isFile()) throw new SqliteStorageError('invalid_path', `not a regular file: ${path}`, { details: { path } });
  const current = stat.mode & 0o777;
  const next = current & DATABASE_FILE_MODE;
  if (next === current) return undefined;
  if (!options.dryRun) {
    try {
      chmodSync(path, next);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SqliteStorageError('open_failed', `cannot restrict permissions of ${path}: ${(cause as Error).message}`, { cause, details: { path } });
    }
  }
  return { path, from: current.toString(8), to: next.toString(8) };
}

/**
 * Creates the directory (recursively, 0700) or tightens an existing one to at most 0700,
 * and returns what it changed. Never loosens: an operator's 0500 stays 0500. Refuses
 * (`symlink_refused`) when `dir` itself is a symlink, so a link planted in the home is never
 * followed out of it; links among the parents of `dir` are the operator's business.
 */
export function ensurePrivateDirectory(dir: string, options: HardenOptions = {}): ModeChange[] {
  assertSafePath(dir, 'directory');
  const existing = lstatOrUndefined(dir);
  if (!existing) {
    if (options.dryRun) return [];
    try {
      mkdirSync(dir, { recursive: true, mode: HOME_DIR_MODE });
    } catch (cause) {
      throw new SqliteStorageError('open_failed', `cannot create private directory ${dir}: ${(cause as Error).message}`, { cause });
    }
  }
  const change = withNoFollow(dir, constants.O_RDONLY | constants.O_DIRECTORY, 'directory', (fd, stat) => tighten(fd, dir, stat, HOME_DIR_MODE, options));
  return change ? [change] : [];
}

/**
 * Tightens one file to at most `maxMode` (`current & maxMode`) through a descriptor opened
 * with O_NOFOLLOW, so the file checked is the file changed (no stat-then-chmod race) and a
 * symlink is refused rather than followed. `create` makes a missing file with `maxMode`
 * (never truncating an existing one); otherwise a missing file is `undefined`.
 */
export function tightenFile(path: string, maxMode: number, options: HardenOptions & { create?: boolean } = {}): ModeChange | undefined {
  const create = options.create === true && !options.dryRun;
  if (!create && !lstatOrUndefined(path)) return undefined;
  try {
    return withNoFollow(path, constants.O_RDONLY | constants.O_NONBLOCK | (create ? constants.O_CREAT : 0), 'file', (fd, stat) =>
      tighten(fd, path, stat, maxMode, options),
      maxMode,
    );
  } catch (error) {
    // Removed between the lstat and the open: nothing left to tighten.
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return undefined;
    throw error;
  }
}

export type FileHealthStatus = 'ok' | 'missing' | 'too_permissive' | 'symlink';

export interface FileHealth {
  path: string;
  status: FileHealthStatus;
  /** Octal permission bits, e.g. "600"; absent when the file is missing or a symlink. */
  mode?: string;
  expectedMode: string;
}

/**
 * Reports each file as ok, missing, too_permissive (any bit beyond `expectedMode`) or
 * symlink (never followed: hardening refuses it). `-wal` and `-shm` legitimately vanish
 * after a clean close, so callers decide whether `missing` matters for them.
 */
export function checkFileModes(files: ReadonlyArray<{ path: string; expectedMode: number }>): FileHealth[] {
  return files.map(({ path, expectedMode }) => {
    const expected = expectedMode.toString(8);
    const stat = lstatOrUndefined(path);
    if (!stat) return { path, status: 'missing', expectedMode: expected };
    if (stat.isSymbolicLink()) return { path, status: 'symlink', expectedMode: expected };
    const mode = stat.mode & 0o777;
    const status: FileHealthStatus = (mode & ~expectedMode) === 0 ? 'ok' : 'too_permissive';
    return { path, status, mode: mode.toString(8), expectedMode: expected };
  });
}

/** The health report for one database: the file itself, its WAL and shared-memory files. */
export function databaseFileHealth(path: string): FileHealth[] {
  return checkFileModes(databaseFileSet(path).map((p) => ({ path: p, expectedMode: DATABASE_FILE_MODE })));
}

/** Throws `symlink_refused` when any of `paths` that exists is a symlink; reads nothing through it. */
export function assertNoSymlinks(paths: readonly string[]): void {
  for (const path of paths) {
    if (lstatOrUndefined(path)?.isSymbolicLink()) throw symlinkRefused(path);
  }
}

function tighten(fd: number, path: string, stat: Stats, maxMode: number, options: HardenOptions): ModeChange | undefined {
  const current = stat.mode & 0o777;
  const next = current & maxMode;
  if (next === current) return undefined;
  if (!options.dryRun) {
    try {
      fchmodSync(fd, next);
    } catch (cause) {
      throw new SqliteStorageError('open_failed', `cannot restrict permissions of ${path}: ${(cause as Error).message}`, { cause, details: { path } });
    }
  }
  return { path, from: current.toString(8), to: next.toString(8) };
}

/**
 * Opens `path` with O_NOFOLLOW (a symlink in the last component fails with ELOOP instead of
 * being followed), checks it is the kind expected, runs `use` on the descriptor, closes it.
 */
function withNoFollow<T>(path: string, flags: number, kind: 'file' | 'directory', use: (fd: number, stat: Stats) => T, createMode?: number): T {
  let fd: number;
  try {
    fd = openSync(path, flags | constants.O_NOFOLLOW, createMode);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || (code === 'ENOTDIR' && lstatOrUndefined(path)?.isSymbolicLink())) throw symlinkRefused(path);
    if (code === 'ENOTDIR') throw new SqliteStorageError('invalid_path', `not a directory: ${path}`, { details: { path } });
    throw new SqliteStorageError('open_failed', `cannot open ${path} to check its permissions: ${(cause as Error).message}`, { cause, details: { path } });
  }
  try {
    const stat = fstatSync(fd);
    if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) {
      throw new SqliteStorageError('invalid_path', `not a ${kind === 'file' ? 'regular file' : 'directory'}: ${path}`, { details: { path } });
    }
    return use(fd, stat);
  } finally {
    closeSync(fd);
  }
}

function symlinkRefused(path: string): SqliteStorageError {
  let target: string | undefined;
  try {
    target = readlinkSync(path);
  } catch {
    target = undefined;
  }
  return new SqliteStorageError(
    'symlink_refused',
    `${path} is a symbolic link${target === undefined ? '' : ` (to ${target})`}; refusing to follow it out of the home: replace it with the real file or directory`,
    { details: { path, ...(target === undefined ? {} : { target }) } },
  );
}

function lstatOrUndefined(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}
