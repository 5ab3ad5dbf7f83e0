import type { QueryRunner } from 'typeorm';
import { PostgresStorageError, isConnectionError, wrapPostgresError } from '../errors.js';
import { transactionStatus, type HeldConnection } from '../connection/session.js';
import type { PostgresStatements } from '../statements/statements.js';
import { retryCauseOf, type RetryCause } from './retry.js';
import type { PostgresIsolation, PostgresWriteContext } from './types.js';

export const BEGIN: Record<PostgresIsolation, string> = {
  'read committed': 'BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE',
  'repeatable read': 'BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE',
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE',
};

export const BEGIN_READ = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** What one attempt learnt that decides its fate beyond what the work returned. */
export interface AttemptState {
  /** The first serialization failure or deadlock any statement of the attempt met, even one the work caught. */
  retryCause: RetryCause | undefined;
  retryError: unknown;
}

/**
 * Commits, or explains why not. PostgreSQL answers COMMIT of a transaction that an earlier
 * error aborted with `ROLLBACK`, not with an error: when the work caught a failed statement
 * and returned, nothing was written, and saying "committed" would be a lie.
 */
export async function commit(held: HeldConnection): Promise<void> {
  let result;
  try {
    result = await held.client.query('COMMIT');
  } catch (error) {
    if (held.broken || isConnectionError(error)) {
      throw new PostgresStorageError(
        'commit_unknown',
        'the connection failed during COMMIT: the transaction may or may not have committed',
        { cause: error },
      );
    }
    throw wrapPostgresError(error, 'commit failed');
  }
  if (result.command !== 'COMMIT') {
    throw new PostgresStorageError(
      'storage_failed',
      'the transaction was aborted by an earlier failed statement (caught by the work, outside a savepoint); nothing was written',
    );
  }
}

/**
 * Rolls back whatever is open. Returns an error when the connection must not go back to the
 * pool (broken, or ROLLBACK itself failed); never throws.
 */
export async function rollback(held: HeldConnection): Promise<Error | undefined> {
  if (held.broken) return held.broken;
  if (transactionStatus(held.client) === 'I') return undefined;
  try {
    await held.client.query('ROLLBACK');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Records the first serialization failure or deadlock of an attempt, then rethrows. */
function noteAndRethrow(state: AttemptState, error: unknown): never {
  const cause = retryCauseOf(error);
  if (cause && !state.retryCause) {
    state.retryCause = cause;
    state.retryError = error;
  }
  throw error;
}

/** The fast path of one attempt, noting every serialization failure or deadlock it meets. */
function noting(statements: PostgresStatements, state: AttemptState): PostgresStatements {
  const note = (error: unknown): never => noteAndRethrow(state, error);
  return {
    run: (sql, params) => statements.run(sql, params).catch(note),
    get: <T>(sql: string, params?: readonly unknown[]) => statements.get<T>(sql, params).catch(note),
    all: <T>(sql: string, params?: readonly unknown[]) => statements.all<T>(sql, params).catch(note),
    values: <T extends unknown[]>(sql: string, params?: readonly unknown[]) => statements.values<T>(sql, params).catch(note),
    exec: (sql) => statements.exec(sql).catch(note),
  };
}

export function createWriteContext(held: HeldConnection, state: AttemptState, attempt: number): PostgresWriteContext {
  const statements = noting(held.statements, state);
  let depth = 0;
  let runner: QueryRunner | undefined;
  const manager = () => {
    if (!runner) {
      runner = held.queryRunner();
      // TypeORM's runner would BEGIN for `manager.save` or `manager.transaction`; marked as
      // already inside one, it uses savepoints and so joins this transaction.
      const flags = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
      flags.isTransactionActive = true;
      flags.transactionDepth = 1;
      const query = runner.query.bind(runner);
      runner.query = ((...args: Parameters<QueryRunner['query']>) =>
        query(...args).catch((error: unknown) => noteAndRethrow(state, error))) as QueryRunner['query'];
    }
    return runner.manager;
  };
  return {
    ...statements,
    get manager() {
      return manager();
    },
    scratch: new Map(),
    attempt,
    savepoint: async <T>(fn: () => Promise<T>): Promise<T> => {
      const name = `cairn_savepoint_${++depth}`;
      await statements.exec(`SAVEPOINT ${name}`);
      try {
        const value = await fn();
        await statements.exec(`RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (error) {
        // A serialization failure or deadlock dooms the transaction, not the savepoint: leave
        // it for the attempt to roll back and retry. A lost connection has nothing to roll back.
        if (!retryCauseOf(error) && !state.retryCause && !held.broken && !isConnectionError(error)) {
          // If even that fails the transaction is aborted, and COMMIT will say so; the work's own error is the one to see.
          await statements.exec(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`).catch(() => undefined);
        }
        throw error;
      } finally {
        depth--;
      }
    },
  };
}
