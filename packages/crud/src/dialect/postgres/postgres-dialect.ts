import { PostgresStorageError } from '@cairn/postgres';
import type { Dialect } from '../../port/dialect.js';
import type { ReadContext, WriteContext } from '../../port/types.js';
import { createPostgresSearchIndex } from './tsvector-search-index.js';

/*
 * PostgreSQL's answers to `Dialect`, for a port whose every write runs at READ COMMITTED
 * (`port/postgres-port.ts`).
 *
 * THE WORKSPACE LOCK. Each workspace-scoped write job takes its workspace's lock as its first
 * statement, a transaction-scoped advisory lock on a 64-bit key derived from
 * `'cairn.ws:' || workspace_id` (released by COMMIT or ROLLBACK, by the server even when the
 * client dies). Under READ COMMITTED each statement reads a fresh snapshot, so every
 * statement after the lock was granted sees every transaction that committed before it was
 * granted, including the previous holder's. Hence, per workspace:
 *
 * - writes run one at a time exactly as on SQLite: a decision reads the state the previous
 *   writer left, the head it extends is the real head; no retries, no stale snapshot;
 * - `seq` values become visible strictly in order: N+1 is allocated (head + 1, read under the
 *   lock) only after the transaction that wrote N committed and released the lock, so a
 *   reader whose snapshot holds N+1 holds N too. The classic gap of PostgreSQL event stores
 *   (N+2 from a sequence commits before N+1, a reader polling `seq > N` skips N+1 forever)
 *   cannot arise: nothing hands out N+2 while N+1 is uncommitted.
 *
 * Different workspaces never wait for each other (different keys). Under SERIALIZABLE this
 * would be wrong: the snapshot is taken at the first statement, i.e. BEFORE the lock's wait,
 * so a waiter would read a stale head and then fail on it (retry); hence READ COMMITTED.
 *
 * Why an advisory lock and not `SELECT ... FROM workspace FOR NO KEY UPDATE`: a row lock
 * writes the locker's xid into the row (a dirtied page and WAL per transaction, MultiXacts
 * once the foreign-key checks of the same transaction's inserts share it), and needs the row
 * to exist; the advisory lock lives only in the lock table. Two ids whose keys collide
 * (2^-64) merely take turns: stricter, never unsafe.
 *
 * Every workspace lock is taken together with a SHARED lock on one global key, which
 * `lockAllWorkspaces` takes exclusively: a rebuild (every workspace's read models at once)
 * waits for the writers in flight and holds every new one off until it commits. Shared locks
 * never conflict with each other, so workspaces still never wait for each other.
 *
 * In a `tryWrite` the locks are only tried (`pg_try_advisory_xact_lock`): not free at once
 * means `busy`, never a wait.
 */

const GLOBAL_KEY = 'cairn.ws';
const WORKSPACE_KEY_PREFIX = 'cairn.ws:';
const LOCK = `SELECT pg_advisory_xact_lock_shared(hashtextextended('${GLOBAL_KEY}', 0)), pg_advisory_xact_lock(hashtextextended(?, 0))`;
const TRY_LOCK = `SELECT pg_try_advisory_xact_lock_shared(hashtextextended('${GLOBAL_KEY}', 0)) AND pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS locked`;
const LOCK_ALL = `SELECT pg_advisory_xact_lock(hashtextextended('${GLOBAL_KEY}', 0))`;
const TRY_LOCK_ALL = `SELECT pg_try_advisory_xact_lock(hashtextextended('${GLOBAL_KEY}', 0)) AS locked`;
const NEXT_POSITION = "SELECT nextval('journal_event_position_seq') AS position";
const HAS_TABLE = 'SELECT 1 AS found FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?';
const HAS_COLUMN = 'SELECT 1 AS found FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?';

/** The workspaces this transaction already locked (one statement per workspace per transaction). */
const LOCKED = Symbol('locked workspaces');
const ALL = '\u0000all';

/** Set on the context of a `tryWrite` by the port: locks are tried, not waited for. */
export const TRY_LOCKS = Symbol('try locks');

function lockedSet(ctx: WriteContext): Set<string> {
  let locked = ctx.scratch.get(LOCKED) as Set<string> | undefined;
  if (!locked) ctx.scratch.set(LOCKED, (locked = new Set()));
  return locked;
}

function trying(ctx: WriteContext): boolean {
  return (ctx as unknown as Record<symbol, unknown>)[TRY_LOCKS] === true;
}

function busy(): never {
  throw new PostgresStorageError('busy', 'another writer holds the workspace lock; the low-priority write did not run');
}

export const postgresDialect: Dialect = {
  name: 'postgres',

  // `turn_search.document`, a generated tsvector with a GIN index (gateway migration 0003).
  createSearchIndex: createPostgresSearchIndex,

  async lockWorkspace(ctx: WriteContext, workspaceId: string): Promise<void> {
    const locked = lockedSet(ctx);
    if (locked.has(workspaceId) || locked.has(ALL)) return;
    const key = WORKSPACE_KEY_PREFIX + workspaceId;
    if (trying(ctx)) {
      if (!(await ctx.get<{ locked: boolean }>(TRY_LOCK, [key]))?.locked) busy();
    } else await ctx.get(LOCK, [key]);
    locked.add(workspaceId);
  },

  async lockAllWorkspaces(ctx: WriteContext): Promise<void> {
    const locked = lockedSet(ctx);
    if (locked.has(ALL)) return;
    if (trying(ctx)) {
      if (!(await ctx.get<{ locked: boolean }>(TRY_LOCK_ALL))?.locked) busy();
    } else await ctx.get(LOCK_ALL);
    locked.add(ALL);
  },

  // A sequence: two workspaces never read or wait on a shared head. Within one workspace the
  // positions grow, since each draw happens under the workspace's lock after the previous
  // holder's draw; a rolled-back draw leaves a gap, which `position` may have.
  async nextJournalPosition(ctx: WriteContext): Promise<number> {
    return (await ctx.get<{ position: number }>(NEXT_POSITION))!.position;
  },

  // The insert trigger (migration 0006) checks the key BEFORE any ON CONFLICT clause is
  // consulted and raises, which aborts the whole transaction; so the key is looked up first
  // (exact: the workspace's lock is held and READ COMMITTED sees every earlier commit).
  journalKeyConflict: '',
  journalKeyLookupFirst: true,

  claimLock: ' FOR UPDATE SKIP LOCKED',

  async hasTable(q: ReadContext, table: string): Promise<boolean> {
    return (await q.get(HAS_TABLE, [table])) !== undefined;
  },

  async hasColumn(q: ReadContext, table: string, column: string): Promise<boolean> {
    return (await q.get(HAS_COLUMN, [table, column])) !== undefined;
  },
};
