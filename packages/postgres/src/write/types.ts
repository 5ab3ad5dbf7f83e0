import type { EntityManager } from 'typeorm';
import type { PostgresStatements } from '../statements/statements.js';
import type { RetryCause, RetryPolicy } from './retry.js';

export type PostgresIsolation = 'read committed' | 'repeatable read' | 'serializable';

/** What a unit of write work receives: the fast path and TypeORM's manager, both inside one transaction on one connection. */
export interface PostgresWriteContext extends PostgresStatements {
  /** A TypeORM manager bound to the same connection and transaction (its own `transaction()` becomes a savepoint). */
  readonly manager: EntityManager;
  /**
   * Memory for facts the work learnt from the database within this attempt (the journal's
   * heads). Emptied per attempt: a retried attempt starts with a fresh map, because what the
   * rolled-back attempt read may no longer be true. Key it with a module-private symbol.
   */
  readonly scratch: Map<symbol, unknown>;
  /** Which attempt this is, from 1. */
  readonly attempt: number;
  /**
   * Runs `fn` inside a savepoint: if it throws, only its statements are rolled back and the
   * error is rethrown; the transaction goes on. A serialization failure or deadlock inside is
   * not contained: the whole transaction is retried.
   */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * A unit of write work. It may run more than once (after a serialization failure, a deadlock
 * or a connection lost before COMMIT, the transaction is rolled back and the work runs again
 * from the start), so it must not cause side effects outside the database; do those after
 * `write` resolves. It must not BEGIN, COMMIT or ROLLBACK itself.
 */
export type PostgresWriteWork<T> = (ctx: PostgresWriteContext) => Promise<T>;

export interface PostgresWritePathOptions {
  retry?: Partial<RetryPolicy>;
  /** Isolation of every write transaction. Default `serializable` (see the README). */
  isolation?: PostgresIsolation;
}

export interface PostgresWriteOptions {
  /**
   * Maintenance work (pruning, GC, repair sweeps): runs one at a time per write path, and
   * each attempt waits until no normal write of this write path is waiting for a pooled
   * connection, so maintenance never takes a connection a client's write is queueing for.
   */
  lowPriority?: boolean;
  /**
   * With `lowPriority`: instead of waiting for its turn, reject with `busy` at once when
   * another maintenance write is running, a normal write of this write path or anybody else
   * is queued for a pooled connection, or no connection is free. For a caller that would
   * rather skip a round than make anything wait (crud's `tryWrite`). Never retried then
   * either: a retryable failure rejects as it is.
   */
  ifFree?: boolean;
  /** This write's isolation, instead of the write path's. */
  isolation?: PostgresIsolation;
}

export interface PostgresWriteStats {
  /** Transactions committed. */
  commits: number;
  /** Transactions begun (a commit may have taken several). */
  attempts: number;
  /** Attempts rolled back and run again, by cause. */
  retries: Record<RetryCause, number>;
  /** Writes that failed with a retryable cause after the last attempt. */
  gaveUp: number;
  /** Read transactions completed. */
  reads: number;
}
