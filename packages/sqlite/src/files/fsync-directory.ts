import { closeSync, constants, fsyncSync, openSync } from 'node:fs';
import { SqliteStorageError } from '../errors.js';

/**
 * Makes a create, link, rename or unlink in `dir` durable: until the directory itself is
 * fsynced, a power loss may forget the new name even though the file's bytes are on disk.
 */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch (error) {
    throw new SqliteStorageError('storage_failed', `cannot fsync directory ${dir}: ${(error as Error).message}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
