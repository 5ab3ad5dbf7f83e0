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
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
      // FIFO eviction keeps memory bounded if a caller ever builds SQL dynamically.
      if (cache.size > STATEMENT_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    }
    return stmt;
  };
  return {
    run: (sql, params = []) => prepare(sql).run(...(params as unknown[])),
    get: <T>(sql: string, params: readonly unknown[] = []) => prepare(sql).get(...(params as unknown[])) as T | undefined,
    all: <T>(sql: string, params: readonly unknown[] = []) => prepare(sql).all(...(params as unknown[])) as T[],
    exec: (sql) => {
      db.exec(sql);
    },
  };
}
