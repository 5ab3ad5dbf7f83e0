import { constants } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

// The few durable-file steps the blob store needs, over node:fs/promises. `@cairn/sqlite` has
// the same steps (writeFileDurably, createTempFile, commitTempFile), but synchronous, for
// small files written whole, and artifacts may not import it (ARCHITECTURE.md: crud, config,
// protocol only; crud does not re-export them). Blobs are streamed, up to gigabytes, so the
// writes are asynchronous and positional, hashed on the way.

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Makes a create, rename or unlink in `dir` durable (the name survives power loss). */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates `dir` and its missing parents down from `base` (which exists), fsyncing the parent
 * of every directory it creates, so a blob's name is never durable in a directory whose own
 * name is not.
 */
export async function ensureDirectory(base: string, relative: readonly string[]): Promise<string> {
  let current = base;
  for (const part of relative) {
    const next = join(current, part);
    try {
      await mkdir(next, { mode: DIR_MODE });
      await fsyncDirectory(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    current = next;
  }
  return current;
}

export interface TempHandle {
  path: string;
  handle: FileHandle;
}

/**
 * A fresh temp file in `dir`: O_EXCL | O_NOFOLLOW (never a file or link someone placed
 * there), mode 0600 set before the first byte.
 */
export async function createTemp(dir: string, prefix: string): Promise<TempHandle> {
  const path = join(dir, `${prefix}${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, FILE_MODE);
  try {
    await handle.chmod(FILE_MODE);
  } catch (error) {
    await handle.close();
    await rm(path, { force: true });
    throw error;
  }
  return { path, handle };
}

/** Renames a finished (fsynced, closed) file to `target` and makes the new name durable. */
export async function renameDurably(from: string, target: string): Promise<void> {
  await rename(from, target);
  await fsyncDirectory(dirname(target));
  if (dirname(from) !== dirname(target)) await fsyncDirectory(dirname(from));
}

/** Removes a file if present and makes its removal durable; false when it was not there. */
export async function removeDurably(path: string): Promise<boolean> {
  try {
    await rm(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await fsyncDirectory(dirname(path));
  return true;
}
