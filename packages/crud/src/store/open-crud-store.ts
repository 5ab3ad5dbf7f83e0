import { ENTITIES } from '@cairn/entity';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import {
  SqliteWriteCoordinator,
  createStatements,
  nativeHandle,
  openSqliteDatabase,
  type SynchronousLevel,
  type WriteCoordinatorOptions,
} from '@cairn/sqlite';
import { dirname, join } from 'node:path';
import type { DataSource } from 'typeorm';
import { toCairnError } from '../errors/to-cairn-error.js';
import type { EventStream } from '../event-log/types.js';
import { startJournalCheckpointer, type JournalCheckpointOptions, type JournalCheckpointer } from '../journal/journal-checkpointer.js';
import type { JournalOptions } from '../journal/types.js';
import { CrudStore } from './crud-store.js';
import { createStoreContext } from './store-context.js';

export interface OpenCrudStoreOptions {
  /** Path of gateway.db (created 0600, parent 0700, if missing). */
  path: string;
  synchronous?: SynchronousLevel;
  busyTimeoutMs?: number;
  coordinator?: WriteCoordinatorOptions;
  /** Injected clock (tests); default `new Date()`. */
  clock?: () => Date;
  /** Injected id generator (tests); default `<prefix>_<uuid>`. */
  newId?: (prefix: string) => string;
  /**
   * Journal options; `redact` runs after the built-in secret rules on every payload before it
   * is stored or hashed (the gateway passes the keystore's "every value currently held" redactor).
   */
  journal?: Pick<JournalOptions, 'redact' | 'heldText'>;
  /**
   * More streams for the event log, registered after the built-in turn stream: a stream type
   * and its projectors (or more projectors for an existing type). Appended through
   * `store.events`; their tables are created by the caller's own migrations.
   */
  streams?: readonly EventStream[];
  /**
   * Signed checkpoints of the journal's heads, kept outside gateway.db by `checkpoints.store`:
   * at open, every N events or T ms, and at close (after the last write). Without it, nothing
   * anchors the journal's tail (see the README's Journal section).
   */
  checkpoints?: JournalCheckpointOptions;
  /**
   * Where the retention policy writes archive segments (`store.retention`). Default: `archive/`
   * beside gateway.db (`<home>/archive`). At open, segments an interrupted run left are completed or removed.
   */
  archiveDir?: string;
}

/**
 * Opens gateway.db: the read-write connection, migrations to head (the runner refuses a
 * schema newer than this build), the write coordinator on that connection, and a second,
 * read-only connection for every read. Failures leave as `CairnError`
 * (`storage_failed`/`busy`, with the original — e.g. a `schema_too_new` MigrationError — as
 * `cause`) and close whatever was opened.
 */
export async function openCrudStore(options: OpenCrudStoreOptions): Promise<CrudStore> {
  const opened: DataSource[] = [];
  try {
    const common = { path: options.path, entities: [...ENTITIES], synchronous: options.synchronous, busyTimeoutMs: options.busyTimeoutMs };
    const dataSource = await openSqliteDatabase(common);
    opened.push(dataSource);
    const migration = await runMigrations(dataSource, gatewayMigrations);
    const readDataSource = await openSqliteDatabase({ ...common, readonly: true });
    opened.push(readDataSource);

    const readHandle = nativeHandle(readDataSource);
    const reader = { ...createStatements(readHandle), inTransaction: () => readHandle.inTransaction, isOpen: () => readHandle.open };
    const coordinator = new SqliteWriteCoordinator(dataSource, options.coordinator);
    const context = createStoreContext({ reader, coordinator, clock: options.clock, newId: options.newId, redact: options.journal?.redact });
    const archiveDir = options.archiveDir ?? join(dirname(options.path), 'archive');
    const checkpoints: JournalCheckpointer | undefined = options.checkpoints ? await startJournalCheckpointer(context.read, { archiveDir, ...options.checkpoints }) : undefined;

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await coordinator.close();
        // After the last commit, before the connections go: the shutdown checkpoint names the final heads.
        try {
          await checkpoints?.close();
        } finally {
          await readDataSource.destroy();
          await dataSource.destroy();
        }
      })());
    const journalOptions = { ...options.journal, ...(checkpoints ? { onAppended: (workspaceId: string) => checkpoints.noteAppended(workspaceId) } : {}) };
    const store = new CrudStore({ context, dataSource, readDataSource, coordinator, migration, close, journalOptions, checkpoints, streams: options.streams ?? [], archiveDir });
    try {
      await store.retention.recover();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  } catch (error) {
    for (const ds of opened.reverse()) await ds.destroy().catch(() => undefined);
    throw toCairnError(error);
  }
}
