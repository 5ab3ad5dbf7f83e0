import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { openCrudStore, type OpenCrudStoreOptions } from '../store/open-crud-store.js';
import { openPostgresCrudStore, type OpenPostgresCrudStoreOptions } from '../store/open-postgres-crud-store.js';
import type { CrudStore } from '../store/crud-store.js';
import { TEST_BACKEND, type TestBackend } from './backend.js';

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
  store: CrudStore;
  backend: TestBackend;
  /** PostgreSQL: the fresh database's URL (a second store on the same database opens it again). */
  url: string | undefined;
  /** Opens another store on the same database (another process's worth of connections), closed by `cleanup`. */
  reopen(options?: TempStoreOptions): Promise<CrudStore>;
  /** Closes the store (and those `reopen` made) and removes the directory. */
  cleanup(): Promise<void>;
}

export type TempStoreOptions = Omit<OpenCrudStoreOptions, 'path'> & Pick<OpenPostgresCrudStoreOptions, 'poolSize'>;

/**
 * A CrudStore on a fresh database for integration tests: a gateway.db in a temp directory, or
 * (`CAIRN_TEST_BACKEND` = postgres, see `testing/backend.ts`) a fresh database on the jest
 * run's PostgreSQL test server with its archive in the temp directory.
 */
export async function openTempStore(options: TempStoreOptions = {}, backend: TestBackend = TEST_BACKEND): Promise<TempStore> {
  const temp = makeTempDir();
  const url = backend === 'postgres' ? (await createTestDatabase('crud')).url : undefined;
  const open = (o: TempStoreOptions): Promise<CrudStore> => {
    if (url === undefined) return openCrudStore({ ...o, path: temp.path });
    const { synchronous: _s, busyTimeoutMs: _b, coordinator: _c, ...rest } = o;
    return openPostgresCrudStore({ poolSize: 4, ...rest, url, archiveDir: o.archiveDir ?? join(temp.dir, 'archive') });
  };
  const store = await open(options);
  const others: CrudStore[] = [];
  return {
    ...temp,
    store,
    backend,
    url,
    reopen: async (o = options) => {
      const other = await open(o);
      others.push(other);
      return other;
    },
    cleanup: async () => {
      for (const other of others) await other.close();
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

/** Write transactions the store committed so far, on either backend (a batch is ONE). */
export function commitCount(store: CrudStore): number {
  if (store.sqlite) return store.sqlite.coordinator.stats.commits;
  if (store.postgres) return store.postgres.writePath.stats.commits;
  throw new Error('a store on an unknown backend');
}
