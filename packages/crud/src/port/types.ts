import type { EntityManager } from 'typeorm';
import type { Dialect } from './dialect.js';

export type Row = Record<string, unknown>;

/**
 * Statement access on one connection, the one way crud talks to a database. SQL is written
 * ONCE, portable, with `?` positional placeholders (a PostgreSQL port rewrites them to `$n`,
 * so a `?` never appears inside a string literal of crud's SQL); what genuinely differs per
 * database lives behind `dialect`. Every call returns a promise and every caller awaits it:
 * on SQLite the statement has already run when the promise is returned, elsewhere it has
 * not (`port/no-floating-statements.test.ts` keeps that true mechanically).
 *
 * Rows are plain objects keyed by column name. Integers come back as JS numbers (a port
 * whose driver returns 64-bit integers or `count(*)` as strings or bigints converts them:
 * positions and sequences stay far below 2^53), text as strings, NULL as null.
 */
export interface Statements {
  /** What differs on this connection's database; carried by the context so a function handed only `q` can ask. */
  readonly dialect: Dialect;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * `all` with each row as an array of its column values in SELECT order: no object per row,
   * for scans of millions of rows (`verifyJournal`). PostgreSQL: `rowMode: 'array'`.
   */
  values<T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** Statements inside one read transaction: every statement sees the same committed snapshot. */
export type ReadContext = Statements;

/** Statements inside one write transaction, plus TypeORM's manager joined to it. */
export interface WriteContext extends Statements {
  /** TypeORM inside the same transaction (cold paths that keep the entity mapping exercised). */
  readonly manager: EntityManager;
  /**
   * Memory that lives exactly as long as what it describes: one per transaction attempt,
   * emptied when a job's writes are rolled back (its savepoint), dropped with the
   * transaction. For facts a job learnt from the database that later jobs of the same group
   * commit may reuse instead of reading again (the journal's heads). Key it with a
   * module-private symbol.
   */
  readonly scratch: Map<symbol, unknown>;
}

/**
 * A unit of write work. It may run more than once (the transaction is retried when another
 * writer held the lock or a serialization failure aborted it, and a group commit runs the
 * survivors again after one job failed), so it must not cause side effects outside the
 * database: do those after `write` resolves. It must not BEGIN, COMMIT or ROLLBACK itself,
 * and it awaits nothing but its own statements (it holds the write transaction meanwhile).
 */
export type WriteWork<T> = (ctx: WriteContext) => Promise<T>;

export type TryWriteResult<T> = { ok: true; value: T } | { ok: false; reason: 'busy' };

/**
 * The storage under crud: what SQLite (`port/sqlite-port.ts`) and PostgreSQL implement, and
 * all that crud's domain code knows of a database.
 */
export interface StoragePort {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one read transaction (a consistent committed snapshot, never another
   * transaction's uncommitted rows) and resolves with its result. Reads never wait for
   * writers. `fn` awaits only its own statements and must not call `read` or `write` again
   * (pass `q` down instead): on a port whose reads share a connection it would wait for itself.
   */
  read<T>(fn: (q: ReadContext) => Promise<T>): Promise<T>;
  /** Runs `work` in a write transaction; resolves after COMMIT (resolved means committed). */
  write<T>(work: WriteWork<T>): Promise<T>;
  /**
   * The low-priority path for maintenance (pruning): runs `work` only if no other writer of
   * this process is queued or running and the database's write lock is free right now;
   * otherwise answers `busy` at once instead of waiting. Never retries.
   */
  tryWrite<T>(work: WriteWork<T>): Promise<TryWriteResult<T>>;
  /**
   * Refuses new writes at once, then waits until every queued one has committed or failed.
   * Reads still work (the store records its shutdown checkpoint between this and `close`).
   * Idempotent.
   */
  closeWrites(): Promise<void>;
  /** `closeWrites`, then waits for running reads and closes every connection. Idempotent. */
  close(): Promise<void>;
}
