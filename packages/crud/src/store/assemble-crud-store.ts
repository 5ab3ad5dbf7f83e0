import type { MigrationReport } from '@cairn/migration';
import type { EventStream } from '../event-log/types.js';
import { startJournalCheckpointer, type JournalCheckpointOptions, type JournalCheckpointer } from '../journal/journal-checkpointer.js';
import type { JournalOptions } from '../journal/types.js';
import type { StoragePort } from '../port/types.js';
import type { SqliteHandles } from '../port/sqlite-port.js';
import type { PostgresHandles } from '../port/postgres-port.js';
import { CrudStore } from './crud-store.js';
import { createStoreContext } from './store-context.js';

/** What a store is opened with, whatever database is under it. */
export interface CrudStoreOptions {
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
   * Signed checkpoints of the journal's heads, kept outside the database by `checkpoints.store`:
   * at open, every N events or T ms, and at close (after the last write). Without it, nothing
   * anchors the journal's tail (see the README's Journal section).
   */
  checkpoints?: JournalCheckpointOptions;
}

export interface AssembleOptions extends CrudStoreOptions {
  /** Where retention's archive segments live. */
  archiveDir: string;
  /** What the opener migrated. */
  migration: MigrationReport;
  /** The SQLite opener's own handles (`store.sqlite`). */
  sqlite?: SqliteHandles;
  /** The PostgreSQL opener's own handles (`store.postgres`). */
  postgres?: PostgresHandles;
}

/**
 * The store over an open, migrated storage port: the store context, the checkpointer, the
 * facade, and the recovery of an interrupted retention run. What every database's opener
 * ends with (`openCrudStore` for SQLite); it owns the port from here on, and closes it when
 * the store closes or when this fails.
 */
export async function assembleCrudStore(port: StoragePort, options: AssembleOptions): Promise<CrudStore> {
  let checkpoints: JournalCheckpointer | undefined;
  try {
    const context = createStoreContext({ port, clock: options.clock, newId: options.newId, redact: options.journal?.redact });
    const { archiveDir } = options;
    checkpoints = options.checkpoints ? await startJournalCheckpointer(context.read, { archiveDir, ...options.checkpoints }) : undefined;
    const started = checkpoints;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await port.closeWrites();
        // After the last commit, before the connections go: the shutdown checkpoint names the final heads.
        try {
          await started?.close();
        } finally {
          await port.close();
        }
      })());
    const journalOptions = { ...options.journal, ...(started ? { onAppended: (workspaceId: string) => started.noteAppended(workspaceId) } : {}) };
    const store = new CrudStore({ context, migration: options.migration, close, journalOptions, checkpoints, streams: options.streams ?? [], archiveDir, sqlite: options.sqlite, postgres: options.postgres });
    try {
      await store.retention.recover();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  } catch (error) {
    await port.close().catch(() => undefined);
    throw error;
  }
}
