import type { EntityManager } from 'typeorm';
import type { SqliteStatements } from '../open/native.js';
import type { RetryPolicy } from './backoff.js';

/** What a unit of write work receives: TypeORM's manager and the synchronous fast path, both inside the transaction. */
export interface WriteContext extends SqliteStatements {
  readonly manager: EntityManager;
  /**
   * Memory that lives exactly as long as what it describes: one per transaction, emptied when
   * a job's writes are rolled back (its savepoint), dropped with the transaction. For facts a
   * job learnt from the database that later jobs of the same group commit may reuse instead
   * of reading again (the journal's heads). Key it with a module-private symbol.
   */
  readonly scratch: Map<symbol, unknown>;
}

/**
 * A unit of write work. It may run more than once (when another process holds the lock the
 * transaction is rolled back and retried; when SQLite aborts a group commit because of
 * another job, the survivors run again), so it must not cause side effects outside the
 * database; do those after `write` resolves. It must not BEGIN, COMMIT or ROLLBACK itself.
 */
export type WriteWork<T> = (ctx: WriteContext) => T | Promise<T>;

export type TryWriteResult<T> = { ok: true; value: T } | { ok: false; reason: 'busy' };

export interface WriteCoordinatorOptions {
  /** Most queued jobs committed together in one transaction (group commit). Default 64; 1 disables grouping. */
  maxBatch?: number;
  retry?: Partial<RetryPolicy>;
}

export interface WriteCoordinatorStats {
  /** Transactions committed. */
  commits: number;
  /** Jobs committed (a commit carries one or more). */
  jobs: number;
  /** Times a batch backed off because another process held the write lock. */
  busyRetries: number;
  /**
   * Times a group ran again because one of its jobs failed (the group is first tried without
   * savepoints; see runBatch). Each costs one extra run of the jobs before the failed one.
   */
  rerunBatches: number;
}
