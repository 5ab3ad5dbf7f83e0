import { PostgresWritePath, isPostgresStorageError, type PostgresStatements, type PostgresWriteContext } from '@cairn/postgres';
import type { DataSource, EntityManager } from 'typeorm';
import { TRY_LOCKS, postgresDialect } from '../dialect/postgres/postgres-dialect.js';
import type { Dialect } from './dialect.js';
import type { ReadContext, Row, StoragePort, TryWriteResult, WriteContext, WriteWork } from './types.js';

/*
 * The PostgreSQL side of the storage port, over `@cairn/postgres`'s write path. Every write
 * runs at READ COMMITTED: crud's writes take their workspace's lock first
 * (`Dialect.lockWorkspace`), and under READ COMMITTED every statement after that sees every
 * commit before it, which is what makes them serial per workspace without retries (the
 * argument is in `dialect/postgres/postgres-dialect.ts`). Writes not scoped to one workspace
 * are correct at READ COMMITTED on their own (unique keys, conditional UPDATEs, SKIP LOCKED).
 * Reads are `REPEATABLE READ READ ONLY`: one snapshot per `read`. Reads and writes use two
 * write-path instances over one pool, so `closeWrites` refuses writes and still lets reads run.
 */

class PostgresCrudWriteContext implements WriteContext {
  readonly dialect: Dialect = postgresDialect;
  readonly #ctx: PostgresWriteContext;
  readonly [TRY_LOCKS]: boolean;

  constructor(ctx: PostgresWriteContext, tryLocks: boolean) {
    this.#ctx = ctx;
    this[TRY_LOCKS] = tryLocks;
  }

  get manager(): EntityManager {
    return this.#ctx.manager;
  }

  get scratch(): Map<symbol, unknown> {
    return this.#ctx.scratch;
  }

  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return this.#ctx.run(sql, params);
  }

  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.#ctx.get<T>(sql, params);
  }

  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#ctx.all<T>(sql, params);
  }

  values<T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#ctx.values<T>(sql, params);
  }
}

function readContext(q: PostgresStatements): ReadContext {
  return {
    dialect: postgresDialect,
    run: (sql, params) => q.run(sql, params),
    get: <T = Row>(sql: string, params?: readonly unknown[]) => q.get<T>(sql, params),
    all: <T = Row>(sql: string, params?: readonly unknown[]) => q.all<T>(sql, params),
    values: <T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]) => q.values<T>(sql, params),
  };
}

/** The PostgreSQL opener's own handles (`store.postgres`): domain code never touches them. */
export interface PostgresHandles {
  /** The DataSource (one pool) under every read and write. Write through `writePath` (or `store.context.write`), never straight through this. */
  readonly dataSource: DataSource;
  /** The write path every crud write goes through (READ COMMITTED; its `stats` count commits and retries). */
  readonly writePath: PostgresWritePath;
}

export interface PostgresPortParts {
  dataSource: DataSource;
  /** Whether `close` destroys the DataSource (true when the opener made it). */
  ownsDataSource: boolean;
}

export interface PostgresStoragePort extends StoragePort {
  readonly handles: PostgresHandles;
}

/** The storage port over a migrated PostgreSQL schema. */
export function createPostgresPort(parts: PostgresPortParts): PostgresStoragePort {
  const { dataSource } = parts;
  const writePath = new PostgresWritePath(dataSource, { isolation: 'read committed' });
  const readPath = new PostgresWritePath(dataSource);
  let closing: Promise<void> | undefined;
  return {
    dialect: postgresDialect,
    handles: { dataSource, writePath },
    read: (fn) => readPath.read((q) => fn(readContext(q))),
    write: <T>(work: WriteWork<T>): Promise<T> => writePath.write((ctx) => work(new PostgresCrudWriteContext(ctx, false))),
    async tryWrite<T>(work: WriteWork<T>): Promise<TryWriteResult<T>> {
      try {
        const value = await writePath.write((ctx) => work(new PostgresCrudWriteContext(ctx, true)), { lowPriority: true, ifFree: true });
        return { ok: true, value };
      } catch (error) {
        if (isPostgresStorageError(error) && error.code === 'busy') return { ok: false, reason: 'busy' };
        throw error;
      }
    },
    closeWrites: () => writePath.close(),
    close: () =>
      (closing ??= (async () => {
        await writePath.close();
        try {
          await readPath.close();
        } finally {
          if (parts.ownsDataSource && dataSource.isInitialized) await dataSource.destroy();
        }
      })()),
  };
}

/** Reads through the port's contract on a DataSource the caller owns (`cairn verify` on PostgreSQL). */
export function createPostgresReadPort(dataSource: DataSource): Pick<StoragePort, 'dialect' | 'read'> {
  const readPath = new PostgresWritePath(dataSource);
  return { dialect: postgresDialect, read: (fn) => readPath.read((q) => fn(readContext(q))) };
}
