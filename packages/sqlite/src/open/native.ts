import type { DataSource } from 'typeorm';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteStorageError } from '../errors.js';

/** The better-sqlite3 handle behind a DataSource opened by `openSqliteDatabase`. */
export type NativeDatabase = BetterSqlite3.Database;

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/**
 * Synchronous statement access on one connection, with prepared statements cached by SQL
 * text. This is the hot path: TypeORM 1.1.1 inlines numbers into SQL and wraps every call in
 * promises and broadcasts, which costs 2-10x on small statements.
 */
export interface SqliteStatements {
  run(sql: string, params?: readonly unknown[]): RunResult;
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): T | undefined;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): T[];
  /**
   * `all` with each row as an array of its column values in SELECT order: no object per row,
   * for scans of many rows (verifying a journal of millions).
   */
  values<T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]): T[];
  /** Runs a script of several statements without parameters (DDL, pragmas). */
  exec(sql: string): void;
}

export function nativeHandle(dataSource: DataSource): NativeDatabase {
  const handle = (dataSource.driver as unknown as { databaseConnection?: NativeDatabase }).databaseConnection;
  if (!dataSource.isInitialized || !handle || !handle.open) {
    throw new SqliteStorageError('closed', 'database is not open');
  }
  return handle;
}

const STATEMENT_CACHE_LIMIT = 512;

export function createStatements(db: NativeDatabase): SqliteStatements {
  const prepare = statementCache(db, false);
  // A second cache: `raw` is a mode of the prepared statement, so object and array rows of one SQL text need two.
  const prepareRaw = statementCache(db, true);
  return {
    run: (sql, params = []) => prepare(sql).run(...(params as unknown[])),
    get: <T>(sql: string, params: readonly unknown[] = []) => prepare(sql).get(...(params as unknown[])) as T | undefined,
    all: <T>(sql: string, params: readonly unknown[] = []) => prepare(sql).all(...(params as unknown[])) as T[],
    values: <T extends unknown[]>(sql: string, params: readonly unknown[] = []) => prepareRaw(sql).all(...(params as unknown[])) as T[],
    exec: (sql) => {
      db.exec(sql);
    },
  };
}

function statementCache(db: NativeDatabase, raw: boolean): (sql: string) => BetterSqlite3.Statement {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return (sql) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (raw) stmt.raw(true);
      cache.set(sql, stmt);
      // FIFO eviction keeps memory bounded if a caller ever builds SQL dynamically.
      if (cache.size > STATEMENT_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    }
    return stmt;
  };
}
