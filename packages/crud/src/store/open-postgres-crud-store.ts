import { ENTITIES } from '@cairn/entity';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { openPostgresDatabase } from '@cairn/postgres';
import type { DataSource } from 'typeorm';
import { toCairnError } from '../errors/to-cairn-error.js';
import { createPostgresPort } from '../port/postgres-port.js';
import { assembleCrudStore, type CrudStoreOptions } from './assemble-crud-store.js';
import type { PostgresCrudStore } from './crud-store.js';

export interface OpenPostgresCrudStoreOptions extends CrudStoreOptions {
  /** `postgres://...`; default `CAIRN_DATABASE_URL`. Ignored when `dataSource` is given. */
  url?: string;
  /**
   * An open PostgreSQL DataSource (from `openPostgresDatabase`, with `@cairn/entity`'s
   * entities) to use instead of opening one; the caller keeps it: `store.close()` leaves it open.
   */
  dataSource?: DataSource;
  /** The schema gateway's tables live in (search_path); default `public`. Created if missing. Ignored with `dataSource`. */
  schema?: string;
  /** Pooled connections of this store (default 10). Ignored with `dataSource`. */
  poolSize?: number;
  /** `statement_timeout` of every connection (default 30000 ms). Ignored with `dataSource`. */
  statementTimeoutMs?: number;
  /**
   * Where retention writes archive segments (`store.retention`) and where verify, repair and
   * the checkpointer read them back. Required: there is no file to put it beside. With
   * several gateways on one database it MUST be one shared directory (the same path on
   * shared storage for all of them): a segment one gateway archived is read by the others.
   */
  archiveDir: string;
}

/**
 * Opens gateway's state on PostgreSQL: the pool (`openPostgresDatabase`, session timeouts
 * asserted), migrations to head (the runner holds the migration advisory lock, so gateways
 * starting together migrate once), the storage port over it (`port/postgres-port.ts`: every
 * write at READ COMMITTED under its workspace's lock), then the store
 * (`assembleCrudStore`, exactly as on SQLite). Failures leave as `CairnError` and close what
 * was opened.
 */
export async function openPostgresCrudStore(options: OpenPostgresCrudStoreOptions): Promise<PostgresCrudStore> {
  let opened: DataSource | undefined;
  try {
    const schema = options.schema ?? 'public';
    const dataSource =
      options.dataSource ??
      (opened = await openPostgresDatabase({
        ...(options.url !== undefined ? { url: options.url } : {}),
        entities: [...ENTITIES],
        schema,
        createSchema: schema !== 'public',
        ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
        ...(options.statementTimeoutMs !== undefined ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
      }));
    const migration = await runMigrations(dataSource, gatewayMigrations);
    const port = createPostgresPort({ dataSource, ownsDataSource: opened !== undefined });
    opened = undefined; // the port owns it from here: closing it closes the pool
    return (await assembleCrudStore(port, { ...options, migration, postgres: port.handles })) as PostgresCrudStore;
  } catch (error) {
    await opened?.destroy().catch(() => undefined);
    throw toCairnError(error);
  }
}
