import type { DataSource } from 'typeorm';
import { SqliteStorageError, isBusyError } from '../errors.js';
import type BetterSqlite3 from 'better-sqlite3';
import type { NativeDatabase } from '../open/native.js';

/**
 * The busy_timeout each connection had when the coordinator first saw it (openSqliteDatabase
 * sets it, default 5000). Read once per handle: `db.pragma` prepares a statement per call
 * (~4 us), and a PRAGMA cannot be prepared once and re-run (SQLite applies and reads
 * busy_timeout when the statement is compiled), so the two writes below go through `exec`.
 * Set a connection's busy_timeout through openSqliteDatabase, not by hand on the handle.
 */
const connectionTimeout = new WeakMap<NativeDatabase, number>();

/**
 * Opens the write transaction with `BEGIN IMMEDIATE`, letting SQLite wait at most `waitMs`
 * for another process's write lock. The connection's own busy_timeout is restored at once,
 * so reads keep their usual patience; when the two are equal nothing is set.
 */
export function beginImmediate(db: NativeDatabase, waitMs: number): 'ok' | 'busy' | SqliteStorageError {
  if (db.inTransaction) {
    return new SqliteStorageError('storage_failed', 'a transaction is already open on this connection outside the write coordinator');
  }
  let previous = connectionTimeout.get(db);
  if (previous === undefined) {
    previous = db.pragma('busy_timeout', { simple: true }) as number;
    connectionTimeout.set(db, previous);
  }
  const wait = Math.max(0, Math.floor(waitMs));
  try {
    if (wait !== previous) db.exec(`PRAGMA busy_timeout = ${wait}`);
    transactionStatements(db).begin.run();
    return 'ok';
  } catch (cause) {
    if (isBusyError(cause)) return 'busy';
    return new SqliteStorageError('storage_failed', `cannot begin write transaction: ${describeError(cause)}`, { cause });
  } finally {
    if (wait !== previous) db.exec(`PRAGMA busy_timeout = ${previous}`);
  }
}

export interface TransactionStatements {
  begin: BetterSqlite3.Statement;
  commit: BetterSqlite3.Statement;
  savepoint: BetterSqlite3.Statement;
  release: BetterSqlite3.Statement;
  rollbackTo: BetterSqlite3.Statement;
}

const prepared = new WeakMap<NativeDatabase, TransactionStatements>();

/**
 * The coordinator's transaction control, prepared once per connection: `exec` parses the text
 * on every call, and these run once or twice per job. (Unlike a PRAGMA, a transaction
 * statement does its work when stepped, so one prepared statement can be run again and again.)
 */
export function transactionStatements(db: NativeDatabase): TransactionStatements {
  let statements = prepared.get(db);
  if (!statements) {
    statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      savepoint: db.prepare('SAVEPOINT cairn_job'),
      release: db.prepare('RELEASE cairn_job'),
      rollbackTo: db.prepare('ROLLBACK TO cairn_job'),
    };
    prepared.set(db, statements);
  }
  return statements;
}

/** Rolls back whatever is open; never throws (SQLite may already have rolled back on its own). */
export function safeRollback(db: NativeDatabase): void {
  try {
    if (db.open && db.inTransaction) db.exec('ROLLBACK');
  } catch {
    // The transaction is gone either way; the caller reports the error that led here.
  }
}

interface TypeormRunnerState {
  isTransactionActive: boolean;
  transactionDepth: number;
}

// TypeORM keeps one QueryRunner for the better-sqlite3 connection and would issue its own
// BEGIN for `manager.save` or `manager.transaction`. Marking the runner as inside a
// transaction makes it use savepoints instead, so ORM calls inside a job join the
// coordinator's transaction.
export function markTypeormTransaction(dataSource: DataSource, active: boolean): void {
  const runner = dataSource.createQueryRunner() as unknown as TypeormRunnerState;
  runner.isTransactionActive = active;
  runner.transactionDepth = active ? 1 : 0;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
