import { readdirSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { SqliteStorageError } from '../errors.js';
import { fsyncDirectory } from './fsync-directory.js';

/**
 * Every file Cairn writes is first written under a temp name beside its final name:
 * `.<final name>.<writer pid>-<12 hex>.cairn-tmp`. The pattern is what makes a leftover
 * recognisable after a crash: nothing else in a home ends in `.cairn-tmp`, and the pid says
 * whether the writer may still be at work. SQLite may add `-journal`, `-wal` or `-shm` to a
 * temp name it writes into (a backup in progress); those belong to the same temp.
 */
export const TEMP_FILE_SUFFIX = '.cairn-tmp';

const TEMP_NAME = /^\.(.+)\.(\d+)-([0-9a-f]{12})\.cairn-tmp(-journal|-wal|-shm)?$/;

/** Temp paths this process is writing right now: a sweep in the same process leaves them alone. */
const inFlight = new Set<string>();

/** A fresh temp name for `target`, in the same directory (so link and rename stay on one file system). */
export function reserveTempPath(target: string): string {
  const path = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}${TEMP_FILE_SUFFIX}`);
  inFlight.add(path);
  return path;
}

/** The temp is committed or abandoned: a later sweep may remove whatever is left under its name. */
export function releaseTempPath(path: string): void {
  inFlight.delete(path);
}

export interface TempFileEntry {
  path: string;
  /** The final name the temp was written for (in the same directory). */
  target: string;
  /** The process that wrote it. */
  pid: number;
  /** `-journal`, `-wal` or `-shm` when SQLite made this file beside a temp; undefined for the temp itself. */
  sibling: string | undefined;
  bytes: number;
  /**
   * True when nobody will finish it: its writer is gone, or is this process and holds no such
   * temp. False while another live process may still be writing it.
   */
  leftover: boolean;
}

/** Lists the temp files in `dir` (none when `dir` does not exist). Reads nothing but names and sizes. */
export function listTempFiles(dir: string): TempFileEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new SqliteStorageError('storage_failed', `cannot list ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const entries: TempFileEntry[] = [];
  for (const name of names.sort()) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const sibling = match[4];
    const pid = Number(match[2]);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue; // removed meanwhile by its writer
    const temp = sibling ? path.slice(0, -sibling.length) : path;
    entries.push({ path, target: join(dir, match[1]!), pid, sibling, bytes: stat.size, leftover: !writerMayBeWriting(pid, temp) });
  }
  return entries;
}

/**
 * Removes the leftovers of interrupted writes in `dir` (see `listTempFiles`) and fsyncs the
 * directory if it removed any. Called at start, before anything new is written there. A temp
 * is never a file anyone reads, so removing one loses nothing that was acknowledged.
 */
export function removeLeftoverTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const entry of listTempFiles(dir)) {
    if (!entry.leftover) continue;
    try {
      rmSync(entry.path, { force: true });
    } catch (error) {
      throw new SqliteStorageError('storage_failed', `cannot remove leftover temp file ${entry.path}: ${(error as Error).message}`, { cause: error });
    }
    removed.push(entry.path);
  }
  if (removed.length > 0) fsyncDirectory(dir);
  return removed;
}

function writerMayBeWriting(pid: number, temp: string): boolean {
  // A container restarts its gateway under the same pid: our own pid only counts for the
  // temps this very process has in flight.
  if (pid === process.pid) return inFlight.has(temp);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}
