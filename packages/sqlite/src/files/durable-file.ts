import { closeSync, constants, fchmodSync, fsyncSync, linkSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteStorageError } from '../errors.js';
import { fsyncDirectory } from './fsync-directory.js';
import { releaseTempPath, reserveTempPath } from './temp-files.js';

/**
 * `create`: the final name must not exist (hard link, which fails with EEXIST: two writers
 * racing for one name cannot both win, and an existing file is never overwritten).
 * `replace`: rename over whatever is there (atomic: a reader sees the old file or the new one).
 */
export type CommitMode = 'create' | 'replace';

export interface TempFile {
  path: string;
  /** Open for writing; the caller writes, fsyncs and closes it, or hands the path to SQLite. */
  fd: number;
}

/**
 * Creates a temp file for `target` in the same directory: `O_CREAT | O_EXCL | O_NOFOLLOW`
 * (a fresh inode, never a file or link someone placed there), its mode set with fchmod
 * before any byte is written (so the umask never decides, and the bytes are never briefly
 * readable by others).
 */
export function createTempFile(target: string, mode: number): TempFile {
  const path = reserveTempPath(target);
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    fchmodSync(fd, mode);
    return { path, fd };
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    discardTempFile(path);
    throw new SqliteStorageError('storage_failed', `cannot create temp file for ${target}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Puts a finished temp file in place under `target` and makes the new name durable. The
 * caller has already fsynced and closed the temp: the final name only ever names complete
 * bytes. A crash before the link/rename leaves just the temp (a leftover the next start
 * removes); a crash after it leaves the complete file (and perhaps the temp name too).
 */
export function commitTempFile(temp: string, target: string, commit: CommitMode): void {
  try {
    if (commit === 'create') {
      linkSync(temp, target);
      unlinkSync(temp);
    } else {
      renameSync(temp, target);
    }
  } catch (error) {
    discardTempFile(temp);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SqliteStorageError('file_exists', `${target} already exists; nothing was overwritten`, { cause: error, details: { path: target } });
    }
    throw new SqliteStorageError('storage_failed', `cannot move ${temp} to ${target}: ${(error as Error).message}`, { cause: error });
  }
  releaseTempPath(temp);
  fsyncDirectory(dirname(target));
}

/** Removes an abandoned temp and anything SQLite made beside it. Never throws. */
export function discardTempFile(temp: string): void {
  for (const file of [temp, `${temp}-journal`, `${temp}-wal`, `${temp}-shm`]) {
    try {
      rmSync(file, { force: true });
    } catch {
      // A leftover temp is harmless and removed by the next start's sweep.
    }
  }
  releaseTempPath(temp);
}

export interface DurableWriteOptions {
  /** Permission bits (e.g. 0o600), set before the first byte. */
  mode: number;
  commit: CommitMode;
}

/**
 * Writes a whole file so that `path` names either nothing (or the previous file) or the
 * complete new bytes, across SIGKILL and power loss: temp file, write, fsync, close, link or
 * rename into place, fsync the directory. Throws `file_exists` (create) or `storage_failed`;
 * the temp is removed either way. The caller owns `data` (zero it after, if it is a key).
 */
export function writeFileDurably(path: string, data: string | Uint8Array, options: DurableWriteOptions): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temp = createTempFile(path, options.mode);
  try {
    try {
      // Positional writes (pwrite): the file is new, and the position never depends on a shared offset.
      for (let offset = 0; offset < bytes.byteLength; ) offset += writeSync(temp.fd, bytes, offset, bytes.byteLength - offset, offset);
      fsyncSync(temp.fd);
    } finally {
      closeSync(temp.fd);
      if (typeof data === 'string') bytes.fill(0);
    }
  } catch (error) {
    discardTempFile(temp.path);
    throw new SqliteStorageError('storage_failed', `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
  commitTempFile(temp.path, path, options.commit);
}
