import type { SearchIndex } from '../search/search-index.js';
import type { ReadContext, WriteContext } from './types.js';

/**
 * Everything crud does differently per database, and nothing else: the domains write
 * portable SQL and ask the dialect (through `ctx.dialect` or `port.dialect`) for the rest;
 * they never branch on a database's name. One implementation per database: SQLite's is
 * `dialect/sqlite/`. What each member must do is stated here; what SQLite does, there.
 */
export interface Dialect {
  /** For messages and logs only. */
  readonly name: string;

  /**
   * The full-text index the TurnProjector writes and `thread/search` reads (SQLite: FTS5;
   * PostgreSQL: a tsvector column with a GIN index). Called once per store.
   */
  createSearchIndex(): SearchIndex;

  /**
   * Called by the event log at the start of every batch, inside its write transaction,
   * before any projector decides: from here to COMMIT no other transaction may append to
   * `workspaceId` (decisions read the state an append then writes, and a workspace's `seq`
   * values must never become visible out of order). Appends to other workspaces must not wait.
   */
  lockWorkspace(ctx: WriteContext, workspaceId: string): Promise<void>;

  /**
   * Called by a write job that changes every workspace's rows at once (a read-model rebuild):
   * from here to COMMIT no other transaction holds or takes any workspace's lock. Calling
   * `lockWorkspace` after it in the same transaction costs nothing.
   */
  lockAllWorkspaces(ctx: WriteContext): Promise<void>;

  /**
   * The `position` of the next journal row: it orders the file and only has to grow within
   * each workspace (gaps are fine). `previous` is the position this transaction placed last,
   * if it placed one.
   */
  nextJournalPosition(ctx: WriteContext, previous: number | undefined): Promise<number>;

  /**
   * Appended to the journal's INSERT. An idempotency key the workspace already used must
   * leave the transaction usable: either the INSERT fails on its own (SQLite undoes only the
   * failed statement) or it reports `changes: 0` (PostgreSQL: `ON CONFLICT DO NOTHING`,
   * since a failed statement there aborts the whole transaction). The event log then looks
   * the key's first use up.
   */
  readonly journalKeyConflict: string;

  /**
   * True when a reused key cannot be refused by the INSERT without aborting the transaction
   * (PostgreSQL: the append trigger raises before any ON CONFLICT clause is looked at), so
   * `place` looks the key up first; exact, because the workspace's lock is held.
   */
  readonly journalKeyLookupFirst: boolean;

  /**
   * Appended to the SELECT that picks a work-queue row a conditional UPDATE then claims
   * (recovery jobs): rows another transaction is claiming are skipped instead of waited for
   * (PostgreSQL: `FOR UPDATE SKIP LOCKED`). The UPDATE's own condition keeps a claim correct
   * either way.
   */
  readonly claimLock: string;

  /** Whether the schema has this table (a file not yet migrated, e.g. an old backup `cairn verify` reads). */
  hasTable(q: ReadContext, table: string): Promise<boolean>;
  /** Whether the table has this column (idem). */
  hasColumn(q: ReadContext, table: string, column: string): Promise<boolean>;
}
