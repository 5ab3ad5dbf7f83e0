import type { Dialect } from '../../port/dialect.js';
import type { ReadContext, WriteContext } from '../../port/types.js';
import { createSqliteFtsSearchIndex } from './fts-search-index.js';

const LAST_POSITION = 'SELECT position FROM journal_event ORDER BY position DESC LIMIT 1';
const HAS_TABLE = "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?";
const HAS_COLUMN = 'SELECT 1 AS found FROM pragma_table_info(?) WHERE name = ?';

/**
 * SQLite's answers to `Dialect`. Most are "nothing to do": a SQLite file has ONE write lock,
 * taken by the coordinator's `BEGIN IMMEDIATE` for the whole transaction, so nothing another
 * writer does can interleave with a write job.
 */
export const sqliteDialect: Dialect = {
  name: 'sqlite',

  // FTS5 (`turn_search`, gateway migration 0003).
  createSearchIndex: createSqliteFtsSearchIndex,

  // The file's write lock is already held: no other transaction appends anywhere until COMMIT.
  lockWorkspace: async () => undefined,
  lockAllWorkspaces: async () => undefined,

  // Under that one lock the file's order is simply the last row's position + 1, read once per
  // transaction (the jobs of a group commit continue from the position the previous one placed).
  async nextJournalPosition(ctx: WriteContext, previous: number | undefined): Promise<number> {
    if (previous !== undefined) return previous + 1;
    return ((await ctx.get<{ position: number }>(LAST_POSITION))?.position ?? 0) + 1;
  },

  // A reused key makes the insert trigger (migration 0006) RAISE(ABORT): that undoes the one
  // statement and leaves the transaction open, so a plain INSERT keeps the contract.
  journalKeyConflict: '',
  journalKeyLookupFirst: false,

  // No row locks: the claiming UPDATE runs under the file's write lock anyway.
  claimLock: '',

  async hasTable(q: ReadContext, table: string): Promise<boolean> {
    return (await q.get(HAS_TABLE, [table])) !== undefined;
  },

  async hasColumn(q: ReadContext, table: string, column: string): Promise<boolean> {
    return (await q.get(HAS_COLUMN, [table, column])) !== undefined;
  },
};
