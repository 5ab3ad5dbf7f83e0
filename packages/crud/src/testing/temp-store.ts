import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCrudStore, type OpenCrudStoreOptions } from '../store/open-crud-store.js';
import type { SqliteCrudStore } from '../store/crud-store.js';

export interface TempDir {
  dir: string;
  /** `<dir>/gateway.db` */
  path: string;
  /** Removes the directory (database, -wal, -shm included). */
  remove(): void;
}

export function makeTempDir(prefix = 'cairn-crud-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: join(dir, 'gateway.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TempStore extends TempDir {
  store: SqliteCrudStore;
  /** Closes the store and removes the directory. */
  cleanup(): Promise<void>;
}

/** A CrudStore on a fresh gateway.db in a temp directory, for integration tests. */
export async function openTempStore(options: Omit<OpenCrudStoreOptions, 'path'> = {}): Promise<TempStore> {
  const temp = makeTempDir();
  const store = await openCrudStore({ ...options, path: temp.path });
  return {
    ...temp,
    store,
    cleanup: async () => {
      await store.close();
      temp.remove();
    },
  };
}

/** A clock that advances one millisecond per call from `start`: deterministic, strictly increasing timestamps. */
export function steppingClock(start = Date.parse('2025-01-01T00:00:00.000Z')): () => Date {
  let t = start;
  return () => new Date(t++);
}
