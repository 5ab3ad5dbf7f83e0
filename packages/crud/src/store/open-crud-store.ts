import { ENTITIES } from '@cairn/entity';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { SqliteWriteCoordinator, openSqliteDatabase, type SynchronousLevel, type WriteCoordinatorOptions } from '@cairn/sqlite';
import { dirname, join } from 'node:path';
import type { DataSource } from 'typeorm';
import { toCairnError } from '../errors/to-cairn-error.js';
import { createSqlitePort } from '../port/sqlite-port.js';
import { assembleCrudStore, type CrudStoreOptions } from './assemble-crud-store.js';
import type { SqliteCrudStore } from './crud-store.js';

export interface OpenCrudStoreOptions extends CrudStoreOptions {
  /** Path of gateway.db (created 0600, parent 0700, if missing). */
  path: string;
  synchronous?: SynchronousLevel;
  busyTimeoutMs?: number;
  coordinator?: WriteCoordinatorOptions;
  /**
   * Where the retention policy writes archive segments (`store.retention`). Default: `archive/`
   * beside gateway.db (`<home>/archive`). At open, segments an interrupted run left are completed or removed.
   */
  archiveDir?: string;
}

/**
 * Opens gateway.db, SQLite's side of the storage port: the read-write connection, migrations
 * to head (the runner refuses a schema newer than this build), the write coordinator on that
 * connection, and a second, read-only connection for every read; then the store over that
 * port (`assembleCrudStore`, what another database's opener calls too). Failures leave as
 * `CairnError` (`storage_failed`/`busy`, with the original — e.g. a `schema_too_new`
 * MigrationError — as `cause`) and close whatever was opened.
 */
export async function openCrudStore(options: OpenCrudStoreOptions): Promise<SqliteCrudStore> {
  const opened: DataSource[] = [];
  try {
    const common = { path: options.path, entities: [...ENTITIES], synchronous: options.synchronous, busyTimeoutMs: options.busyTimeoutMs };
    const dataSource = await openSqliteDatabase(common);
    opened.push(dataSource);
    const migration = await runMigrations(dataSource, gatewayMigrations);
    const readDataSource = await openSqliteDatabase({ ...common, readonly: true });
    opened.push(readDataSource);
    const coordinator = new SqliteWriteCoordinator(dataSource, options.coordinator);
    const port = createSqlitePort({ dataSource, readDataSource, coordinator });
    opened.length = 0; // the port owns both connections from here: closing it closes them
    const sqlite = { dataSource, readDataSource, coordinator };
    const archiveDir = options.archiveDir ?? join(dirname(options.path), 'archive');
    return (await assembleCrudStore(port, { ...options, archiveDir, migration, sqlite })) as SqliteCrudStore;
  } catch (error) {
    for (const ds of opened.reverse()) await ds.destroy().catch(() => undefined);
    throw toCairnError(error);
  }
}
