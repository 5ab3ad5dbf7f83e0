import type { DataSource } from 'typeorm';
import { SqliteStorageError } from '../errors.js';
import { createStatements, type NativeDatabase, type SqliteStatements } from '../open/native.js';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
import { runBatch, type BatchJob } from './run-batch.js';
import { describeError } from './transaction.js';
import type { TryWriteResult, WriteContext, WriteCoordinatorOptions, WriteCoordinatorStats, WriteWork } from './types.js';

export type { TryWriteResult, WriteContext, WriteCoordinatorOptions, WriteCoordinatorStats, WriteWork } from './types.js';

interface Job extends BatchJob {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The only way Cairn writes to a SQLite file. better-sqlite3 gives TypeORM one connection, so
 * two TypeORM transactions in flight at once would interleave on it; the coordinator runs
 * write jobs strictly one transaction at a time, opens each with `BEGIN IMMEDIATE` (the write
 * lock is taken up front, so a transaction never fails half-way on a lock upgrade), retries
 * `SQLITE_BUSY` from other processes with bounded exponential backoff, and commits several
 * queued jobs in one transaction (group commit) so that one job's failure never undoes
 * another's (see runBatch: optimistic first, savepoints after a failure). A job's promise
 * settles only after its COMMIT returned: resolved means committed.
 */
export class SqliteWriteCoordinator {
  readonly #dataSource: DataSource;
  readonly #maxBatch: number;
  readonly #retry: RetryPolicy;
  readonly #queue: Job[] = [];
  #draining = false;
  #closed = false;
  #idle: Promise<void> = Promise.resolve();
  #statements: { db: NativeDatabase; statements: SqliteStatements } | undefined;
  readonly stats: WriteCoordinatorStats = { commits: 0, jobs: 0, busyRetries: 0, rerunBatches: 0 };

  constructor(dataSource: DataSource, options: WriteCoordinatorOptions = {}) {
    this.#dataSource = dataSource;
    this.#maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 64));
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#retry = { ...retry, maxAttempts: Math.max(1, Math.floor(retry.maxAttempts)) };
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.#queue.length + (this.#draining ? 1 : 0);
  }

  get closed(): boolean {
    return this.#closed;
  }

  write<T>(work: WriteWork<T>): Promise<T> {
    return this.#enqueue(work, false) as Promise<T>;
  }

  /**
   * Low-priority path for maintenance (pruning, repair sweeps, checkpoints): runs only if no
   * other in-process writer is queued or running and the file's write lock is free right now;
   * otherwise answers `busy` at once instead of waiting. It never retries.
   */
  async tryWrite<T>(work: WriteWork<T>): Promise<TryWriteResult<T>> {
    if (this.#closed) throw closedError();
    if (this.#draining || this.#queue.length > 0) return { ok: false, reason: 'busy' };
    return (await this.#enqueue(work, true)) as TryWriteResult<T>;
  }

  /** Refuses new work at once, then waits until everything already queued has committed or failed. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#draining) await this.#idle;
  }

  #enqueue(work: WriteWork<unknown>, lowPriority: boolean): Promise<unknown> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.#queue.push({ work, resolve, reject, lowPriority });
      if (!this.#draining) this.#idle = this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        // Let the microtasks of callers that enqueue in the same tick land first, so that
        // concurrent appenders actually share a commit.
        await new Promise<void>((r) => setImmediate(r));
        const batch = this.#takeBatch();
        try {
          await runBatch(this.#env(), batch);
        } catch (error) {
          // runBatch settles every job itself; this net only guarantees that no caller waits forever.
          for (const job of batch) {
            job.outcome ??= { status: 'failed', error: new SqliteStorageError('storage_failed', describeError(error), { cause: error }) };
          }
        }
        for (const job of batch) settleJob(job);
      }
    } finally {
      this.#draining = false;
    }
  }

  #takeBatch(): Job[] {
    const first = this.#queue.shift() as Job;
    if (first.lowPriority) return [first];
    const batch = [first];
    while (batch.length < this.#maxBatch && this.#queue.length > 0 && !this.#queue[0]!.lowPriority) {
      batch.push(this.#queue.shift() as Job);
    }
    return batch;
  }

  #env() {
    return {
      dataSource: this.#dataSource,
      retry: this.#retry,
      stats: this.stats,
      context: (db: NativeDatabase) => this.#context(db),
    };
  }

  #context(db: NativeDatabase): WriteContext {
    // Keyed by handle: statements prepared on a connection that was closed and reopened are dead.
    if (this.#statements?.db !== db) this.#statements = { db, statements: createStatements(db) };
    // A fresh object per transaction attempt: `scratch` must not outlive it.
    return { ...this.#statements.statements, manager: this.#dataSource.manager, scratch: new Map() };
  }
}

function settleJob(job: Job): void {
  const outcome = job.outcome ?? { status: 'failed', error: new SqliteStorageError('storage_failed', 'write job did not run') };
  if (outcome.status === 'failed') job.reject(outcome.error);
  else if (job.lowPriority) job.resolve(outcome.status === 'busy' ? { ok: false, reason: 'busy' } : { ok: true, value: outcome.value });
  else if (outcome.status === 'committed') job.resolve(outcome.value);
  else job.reject(new SqliteStorageError('busy', 'database is locked by another writer'));
}

function closedError(): SqliteStorageError {
  return new SqliteStorageError('closed', 'write coordinator is closed');
}
