import type { DataSource, EntityManager } from 'typeorm';
import { SqliteStorageError, isBusyError } from '../errors.js';
import { createStatements, nativeHandle, type NativeDatabase, type SqliteStatements } from '../open/native.js';
import { backoffDelay, sleep, type RetryPolicy, DEFAULT_RETRY } from './backoff.js';

/** What a unit of write work receives: TypeORM's manager and the synchronous fast path, both inside the transaction. */
export interface WriteContext extends SqliteStatements {
  readonly manager: EntityManager;
}

/**
 * A unit of write work. It may run more than once (when another process holds the lock the
 * transaction is rolled back and retried), so it must not cause side effects outside the
 * database; do those after `write` resolves.
 */
export type WriteWork<T> = (ctx: WriteContext) => T | Promise<T>;

export type TryWriteResult<T> = { ok: true; value: T } | { ok: false; reason: 'busy' };

export interface WriteCoordinatorOptions {
  /** Most queued jobs committed together in one transaction (group commit). Default 64; 1 disables grouping. */
  maxBatch?: number;
  retry?: Partial<RetryPolicy>;
}

export interface WriteCoordinatorStats {
  commits: number;
  jobs: number;
  busyRetries: number;
}

interface Job {
  work: WriteWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  lowPriority: boolean;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/**
 * The only way Cairn writes to a SQLite file. better-sqlite3 gives TypeORM one connection, so
 * two TypeORM transactions in flight at once would interleave on it; the coordinator runs
 * write jobs strictly one transaction at a time, opens each with `BEGIN IMMEDIATE` (the write
 * lock is taken up front, so a transaction never fails half-way on a lock upgrade), retries
 * `SQLITE_BUSY` from other processes with bounded exponential backoff, and commits several
 * queued jobs in one transaction, each inside its own savepoint so one job's failure never
 * undoes another's. A job's promise settles only after its COMMIT returned: resolved means
 * durable.
 */
export class SqliteWriteCoordinator {
  readonly #dataSource: DataSource;
  readonly #maxBatch: number;
  readonly #retry: RetryPolicy;
  readonly #queue: Job[] = [];
  #draining = false;
  #closed = false;
  #idle: Promise<void> = Promise.resolve();
  #markIdle: () => void = () => {};
  #statements: SqliteStatements | undefined;
  readonly stats: WriteCoordinatorStats = { commits: 0, jobs: 0, busyRetries: 0 };

  constructor(dataSource: DataSource, options: WriteCoordinatorOptions = {}) {
    this.#dataSource = dataSource;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 64);
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.#queue.length + (this.#draining ? 1 : 0);
  }

  write<T>(work: WriteWork<T>): Promise<T> {
    return this.#enqueue(work, false) as Promise<T>;
  }

  /**
   * Low-priority path for maintenance (pruning, repair sweeps, checkpoints): runs only if no
   * other in-process writer is queued and the file's write lock is free right now; otherwise
   * answers `busy` at once instead of waiting.
   */
  async tryWrite<T>(work: WriteWork<T>): Promise<TryWriteResult<T>> {
    if (this.#closed) throw new SqliteStorageError('closed', 'write coordinator is closed');
    if (this.#draining || this.#queue.length > 0) return { ok: false, reason: 'busy' };
    return (await this.#enqueue(work, true)) as TryWriteResult<T>;
  }

  /** Refuses new work and waits until everything queued has committed or failed. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#idle;
  }

  #enqueue(work: WriteWork<unknown>, lowPriority: boolean): Promise<unknown> {
    if (this.#closed) return Promise.reject(new SqliteStorageError('closed', 'write coordinator is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ work, resolve, reject, lowPriority });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    this.#idle = new Promise((r) => (this.#markIdle = r));
    try {
      while (this.#queue.length > 0) {
        // Let the microtasks of callers that enqueue in the same tick land first, so that
        // concurrent appenders actually share a commit.
        await new Promise<void>((r) => setImmediate(r));
        const batch = this.#takeBatch();
        await this.#runBatch(batch);
        for (const job of batch) {
          const outcome = job.outcome;
          if (!outcome) job.reject(new SqliteStorageError('storage_failed', 'write job did not run'));
          else if (outcome.ok) job.resolve(outcome.value);
          else job.reject(outcome.error);
        }
      }
    } finally {
      this.#draining = false;
      this.#markIdle();
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

  async #runBatch(batch: Job[]): Promise<void> {
    const lowPriority = batch.length === 1 && batch[0]!.lowPriority;
    for (let attempt = 0; ; attempt++) {
      for (const job of batch) delete job.outcome;
      let db: NativeDatabase;
      try {
        db = nativeHandle(this.#dataSource);
      } catch (error) {
        for (const job of batch) job.outcome = { ok: false, error };
        return;
      }
      const began = this.#begin(db, lowPriority);
      if (began === 'busy') {
        if (lowPriority) {
          batch[0]!.outcome = { ok: true, value: { ok: false, reason: 'busy' } };
          return;
        }
        if (await this.#shouldRetry(attempt, batch)) continue;
        return;
      }
      if (began !== 'ok') {
        for (const job of batch) job.outcome = { ok: false, error: began };
        return;
      }
      const busyInside = await this.#runJobs(db, batch, lowPriority);
      if (busyInside) {
        this.#rollback(db);
        if (await this.#shouldRetry(attempt, batch)) continue;
        return;
      }
      try {
        db.exec('COMMIT');
        this.#leaveTypeormTransaction();
        this.stats.commits++;
        this.stats.jobs += batch.length;
        return;
      } catch (cause) {
        this.#rollback(db);
        if (isBusyError(cause) && (await this.#shouldRetry(attempt, batch))) continue;
        const error = new SqliteStorageError(isBusyError(cause) ? 'busy' : 'storage_failed', `commit failed: ${describe(cause)}`, { cause });
        for (const job of batch) job.outcome = { ok: false, error };
        return;
      }
    }
  }

  /** Runs each job inside the open transaction; returns true if one hit SQLITE_BUSY (the whole batch must retry). */
  async #runJobs(db: NativeDatabase, batch: Job[], lowPriority: boolean): Promise<boolean> {
    const ctx = this.#context();
    const isolate = batch.length > 1;
    for (const job of batch) {
      if (isolate) db.exec('SAVEPOINT cairn_job');
      try {
        const value = await job.work(ctx);
        if (isolate) db.exec('RELEASE cairn_job');
        job.outcome = { ok: true, value: lowPriority ? { ok: true, value } : value };
      } catch (error) {
        if (isBusyError(error)) return true;
        if (isolate) {
          db.exec('ROLLBACK TO cairn_job');
          db.exec('RELEASE cairn_job');
        } else {
          this.#rollback(db);
        }
        job.outcome = { ok: false, error };
        if (!isolate) return false;
      }
    }
    return false;
  }

  #begin(db: NativeDatabase, lowPriority: boolean): 'ok' | 'busy' | SqliteStorageError {
    if (db.inTransaction) {
      return new SqliteStorageError('storage_failed', 'a transaction is already open on this connection outside the write coordinator');
    }
    const previousTimeout = lowPriority ? (db.pragma('busy_timeout', { simple: true }) as number) : undefined;
    try {
      if (lowPriority) db.pragma('busy_timeout = 0');
      db.exec('BEGIN IMMEDIATE');
      this.#enterTypeormTransaction();
      return 'ok';
    } catch (cause) {
      if (isBusyError(cause)) return 'busy';
      return new SqliteStorageError('storage_failed', `cannot begin write transaction: ${describe(cause)}`, { cause });
    } finally {
      if (previousTimeout !== undefined) db.pragma(`busy_timeout = ${previousTimeout}`);
    }
  }

  #rollback(db: NativeDatabase): void {
    if (db.inTransaction) db.exec('ROLLBACK');
    this.#leaveTypeormTransaction();
  }

  async #shouldRetry(attempt: number, batch: Job[]): Promise<boolean> {
    if (attempt + 1 >= this.#retry.maxAttempts) {
      const error = new SqliteStorageError('busy', `database stayed locked by another writer after ${attempt + 1} attempts`);
      for (const job of batch) job.outcome = { ok: false, error };
      return false;
    }
    this.stats.busyRetries++;
    await sleep(backoffDelay(attempt, this.#retry));
    return true;
  }

  #context(): WriteContext {
    this.#statements ??= createStatements(nativeHandle(this.#dataSource));
    return { ...this.#statements, manager: this.#dataSource.manager };
  }

  // TypeORM keeps one QueryRunner for the better-sqlite3 connection and would issue its own
  // BEGIN for `manager.save`. Marking the runner as inside a transaction makes it use
  // savepoints instead, so ORM calls inside a job join the coordinator's transaction.
  #enterTypeormTransaction(): void {
    const runner = this.#dataSource.createQueryRunner() as unknown as { isTransactionActive: boolean; transactionDepth: number };
    runner.isTransactionActive = true;
    runner.transactionDepth = 1;
  }

  #leaveTypeormTransaction(): void {
    const runner = this.#dataSource.createQueryRunner() as unknown as { isTransactionActive: boolean; transactionDepth: number };
    runner.isTransactionActive = false;
    runner.transactionDepth = 0;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
