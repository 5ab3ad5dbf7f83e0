import {
  SqliteStorageError,
  createStatements,
  nativeHandle,
  type NativeDatabase,
  type SqliteStatements,
  type SqliteWriteCoordinator,
  type WriteContext as SqliteJobContext,
} from '@cairn/sqlite';
import type { DataSource, EntityManager } from 'typeorm';
import { sqliteDialect } from '../dialect/sqlite/sqlite-dialect.js';
import type { Dialect } from './dialect.js';
import type { ReadContext, Row, StoragePort, TryWriteResult, WriteContext, WriteWork } from './types.js';

/*
 * The SQLite side of the storage port: the coordinator's synchronous job context and the
 * read-only connection, seen as promises. Nothing is deferred: each statement runs on the
 * same prepared-statement cache as before, synchronously, and its result (or error) is
 * wrapped in the promise the `async` method returns, which is the only allocation added.
 * The only crud file besides open-crud-store that knows better-sqlite3's shapes.
 */

/** The async face of one coordinator job's context; one per transaction attempt, like the context it wraps. */
class SqliteWriteContext implements WriteContext {
  readonly dialect: Dialect = sqliteDialect;
  readonly manager: EntityManager;
  readonly scratch: Map<symbol, unknown>;
  readonly #job: SqliteJobContext;

  constructor(job: SqliteJobContext) {
    this.#job = job;
    this.manager = job.manager;
    this.scratch = job.scratch;
  }

  async run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return this.#job.run(sql, params);
  }

  async get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.#job.get<T>(sql, params);
  }

  async all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#job.all<T>(sql, params);
  }

  async values<T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#job.values<T>(sql, params);
  }
}

/**
 * The async face of a connection's cached statements, shared by every read on it. Outside
 * `read` (which adds the transaction) it runs each statement on its own: for tests and tools
 * that open and close their own transactions.
 */
export function sqliteStatements(db: NativeDatabase): ReadContext {
  return readContext(createStatements(db));
}

function readContext(statements: SqliteStatements): ReadContext {
  return {
    dialect: sqliteDialect,
    run: async (sql, params) => statements.run(sql, params),
    get: async <T = Row>(sql: string, params?: readonly unknown[]) => statements.get<T>(sql, params),
    all: async <T = Row>(sql: string, params?: readonly unknown[]) => statements.all<T>(sql, params),
    values: async <T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]) => statements.values<T>(sql, params),
  };
}

/**
 * Reads on one connection, one read transaction at a time. A read fn is async now, so two
 * reads in flight at once would interleave inside one BEGIN..COMMIT: the second would see
 * the first's snapshot and COMMIT it under the first's feet. They queue instead (a promise
 * mutex, no timer). On SQLite a read fn only awaits promises that have already settled, so
 * it holds the connection for a few microtasks. Each read opens and closes its own
 * snapshot: one long-lived snapshot shared by overlapping reads would serve stale data and
 * keep the WAL from being checkpointed.
 */
class SqliteReader {
  readonly #db: NativeDatabase;
  readonly #context: ReadContext;
  readonly #begin;
  readonly #commit;
  #busy = false;
  #closed = false;
  readonly #waiting: Array<() => void> = [];

  constructor(db: NativeDatabase) {
    this.#db = db;
    this.#context = readContext(createStatements(db));
    this.#begin = db.prepare('BEGIN');
    this.#commit = db.prepare('COMMIT');
  }

  read<T>(fn: (q: ReadContext) => Promise<T>): Promise<T> {
    if (!this.#busy) {
      this.#busy = true;
      return this.#run(fn);
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() => this.#run(fn));
  }

  /** Waits for the running and queued reads, then refuses new ones. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (!this.#db.open) {
      this.#closed = true;
      return;
    }
    await this.read(async () => {
      this.#closed = true;
    });
  }

  async #run<T>(fn: (q: ReadContext) => Promise<T>): Promise<T> {
    try {
      const db = this.#db;
      if (this.#closed || !db.open) throw new SqliteStorageError('closed', 'the store is closed');
      // A transaction the connection's owner opened itself (a tool reading a file in one snapshot): read inside it.
      if (db.inTransaction) return await fn(this.#context);
      this.#begin.run();
      try {
        return await fn(this.#context);
      } finally {
        if (db.open && db.inTransaction) this.#commit.run();
      }
    } finally {
      // Hand the connection straight to the next read, or mark it free.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#busy = false;
    }
  }
}

/**
 * The SQLite opener's own handles, for what only SQLite has (backups, the schema check of a
 * file, tests that read query plans or coordinator stats). Domain code never touches them.
 */
export interface SqliteHandles {
  /** The read-write DataSource. Writes must go through `coordinator` (or `store.context.write`), never straight through this. */
  readonly dataSource: DataSource;
  /** The read-only DataSource that every read uses. */
  readonly readDataSource: DataSource;
  readonly coordinator: SqliteWriteCoordinator;
}

/** What the SQLite port is made of; the port owns them (`close` destroys both DataSources). */
export type SqlitePortParts = SqliteHandles;

/** A unit of write work for the coordinator: its synchronous job context seen through the port. */
export function sqliteJob<T>(work: WriteWork<T>): (job: SqliteJobContext) => Promise<T> {
  return (job) => work(new SqliteWriteContext(job));
}

/** The storage port over gateway.db: writes through the coordinator, reads on the read-only connection. Owns both DataSources: `close` destroys them. */
export function createSqlitePort(parts: SqlitePortParts): StoragePort {
  const { coordinator } = parts;
  const reader = new SqliteReader(nativeHandle(parts.readDataSource));
  let closing: Promise<void> | undefined;
  return {
    dialect: sqliteDialect,
    read: (fn) => reader.read(fn),
    write: <T>(work: WriteWork<T>): Promise<T> => coordinator.write(sqliteJob(work)),
    tryWrite: <T>(work: WriteWork<T>): Promise<TryWriteResult<T>> => coordinator.tryWrite(sqliteJob(work)),
    closeWrites: () => coordinator.close(),
    close: () =>
      (closing ??= (async () => {
        await coordinator.close();
        try {
          await reader.close();
        } finally {
          await parts.readDataSource.destroy();
          await parts.dataSource.destroy();
        }
      })()),
  };
}

/** Reads on a connection a tool opened itself (`cairn verify`, `cairn restore`): the port's `read`, nothing else. */
export type SqliteReadPort = Pick<StoragePort, 'dialect' | 'read'>;

/**
 * Reads through the port's contract on a connection the caller owns (and closes). Inside a
 * transaction the caller opened, every read runs in it: one snapshot for several reads.
 */
export function createSqliteReadPort(db: NativeDatabase | DataSource): SqliteReadPort {
  const reader = new SqliteReader('prepare' in db ? db : nativeHandle(db));
  return { dialect: sqliteDialect, read: (fn) => reader.read(fn) };
}
