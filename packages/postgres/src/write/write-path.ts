import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresStorageError, describeError, isPostgresStorageError, pgCodeOf, wrapPostgresError } from '../errors.js';
import { acquireConnection, type HeldConnection } from '../connection/session.js';
import { poolOf } from '../open/pool.js';
import type { PostgresStatements } from '../statements/statements.js';
import { DEFAULT_POSTGRES_RETRY, attemptRetryCause, backoffDelay, sleep, type RetryCause, type RetryPolicy } from './retry.js';
import { BEGIN, BEGIN_READ, commit, createWriteContext, rollback, type AttemptState } from './transaction.js';
import type {
  PostgresIsolation,
  PostgresWriteOptions,
  PostgresWritePathOptions,
  PostgresWriteStats,
  PostgresWriteWork,
} from './types.js';

export type {
  PostgresIsolation,
  PostgresWriteContext,
  PostgresWriteOptions,
  PostgresWritePathOptions,
  PostgresWriteStats,
  PostgresWriteWork,
} from './types.js';

type Attempt<T> = { done: true; value: T } | { done: false; error: unknown; retry: RetryCause | undefined };

/**
 * The PostgreSQL counterpart of `SqliteWriteCoordinator`: the way Cairn writes. Each write
 * takes a pooled connection, BEGINs (SERIALIZABLE unless told otherwise), runs the work,
 * COMMITs, and resolves only after COMMIT returned: resolved means committed. When the
 * server answers with a serialization failure (40001) or a deadlock (40P01), or the
 * connection is lost before COMMIT, the attempt is rolled back and the whole work runs again
 * after a jittered exponential backoff, at most `retry.maxAttempts` times.
 *
 * Unlike SQLite, PostgreSQL runs many writers at once, so writes are not queued here: the
 * pool bounds how many run, and the server's locks and SSI decide who has to retry.
 */
export class PostgresWritePath {
  readonly #dataSource: DataSource;
  readonly #retry: RetryPolicy;
  readonly #isolation: PostgresIsolation;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;
  #lowPriorityChain: Promise<unknown> = Promise.resolve();
  #normalWaiting = 0;
  #lowPriorityRunning = false;
  readonly stats: PostgresWriteStats = {
    commits: 0,
    attempts: 0,
    retries: { serialization_failure: 0, deadlock: 0, connection_lost: 0 },
    gaveUp: 0,
    reads: 0,
  };

  constructor(dataSource: DataSource, options: PostgresWritePathOptions = {}) {
    this.#dataSource = dataSource;
    const retry = { ...DEFAULT_POSTGRES_RETRY, ...options.retry };
    this.#retry = { ...retry, maxAttempts: Math.max(1, Math.floor(retry.maxAttempts)) };
    this.#isolation = options.isolation ?? 'serializable';
    if (!(this.#isolation in BEGIN)) throw new PostgresStorageError('invalid_options', `unknown isolation ${String(this.#isolation)}`);
  }

  /** Writes and reads running. */
  get pending(): number {
    return this.#inFlight.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write<T>(work: PostgresWriteWork<T>, options: PostgresWriteOptions = {}): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    const isolation = options.isolation ?? this.#isolation;
    if (!options.lowPriority) return this.#track(this.#runWrite(work, isolation, false));
    if (options.ifFree) {
      if (this.#lowPriorityRunning || !this.#poolFree()) return Promise.reject(new PostgresStorageError('busy', 'the database is busy; the low-priority write did not run'));
      this.#lowPriorityRunning = true;
      const run = this.#attempt(work, isolation, true, 1).then((outcome) => {
        if (outcome.done) return outcome.value;
        throw outcome.retry ? wrapPostgresError(outcome.error, 'write failed') : outcome.error;
      });
      const done = () => {
        this.#lowPriorityRunning = false;
      };
      run.then(done, done);
      this.#lowPriorityChain = this.#lowPriorityChain.then(() => run).catch(() => undefined);
      return this.#track(run);
    }
    // One maintenance write at a time: it never holds more than one connection.
    const run = this.#lowPriorityChain.then(() => this.#runWrite(work, isolation, true));
    this.#lowPriorityChain = run.catch(() => undefined);
    return this.#track(run);
  }

  /**
   * Runs `fn` in one `REPEATABLE READ READ ONLY` transaction: every statement sees the same
   * snapshot, whatever commits meanwhile. Not retried (a read-only snapshot never meets a
   * serialization failure); a write statement inside fails with `read_only`.
   */
  read<T>(fn: (q: PostgresStatements) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#track(this.#runRead(fn));
  }

  /** Refuses new work at once (`closed`), then waits until every write and read in flight has settled. The DataSource stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async #runWrite<T>(work: PostgresWriteWork<T>, isolation: PostgresIsolation, lowPriority: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(work, isolation, lowPriority, attempt);
      if (outcome.done) return outcome.value;
      const { error, retry } = outcome;
      if (!retry) throw error;
      if (attempt >= this.#retry.maxAttempts) {
        this.stats.gaveUp++;
        throw gaveUp(error, retry, attempt);
      }
      this.stats.retries[retry]++;
      await sleep(backoffDelay(attempt, this.#retry));
    }
  }

  async #attempt<T>(work: PostgresWriteWork<T>, isolation: PostgresIsolation, lowPriority: boolean, attempt: number): Promise<Attempt<T>> {
    const held = await this.#acquire(lowPriority);
    const state: AttemptState = { retryCause: undefined, retryError: undefined };
    let committing = false;
    let destroy: Error | undefined;
    try {
      this.stats.attempts++;
      await begin(held, BEGIN[isolation]);
      const value = await work(createWriteContext(held, state, attempt));
      // The work may have caught a serialization failure and carried on; PostgreSQL's
      // guarantee holds only if the whole transaction is run again.
      if (state.retryCause) {
        destroy = await rollback(held);
        return { done: false, error: state.retryError, retry: state.retryCause };
      }
      committing = true;
      await commit(held);
      this.stats.commits++;
      return { done: true, value };
    } catch (error) {
      destroy = await rollback(held);
      if (committing && isPostgresStorageError(error) && error.code === 'commit_unknown') return { done: false, error, retry: undefined };
      // The server ended the session because the work sat idle inside the transaction: running
      // it again would only idle again. A timeout, not a lost connection.
      if (held.broken && pgCodeOf(held.broken) === '25P03') {
        return { done: false, error: wrapPostgresError(held.broken, 'write failed: the work left its transaction idle'), retry: undefined };
      }
      const retry = state.retryCause ?? attemptRetryCause(error, held.broken !== undefined);
      return { done: false, error: retry ? (state.retryError ?? error) : wrapPostgresError(error, 'write failed'), retry };
    } finally {
      await held.release(destroy);
    }
  }

  async #runRead<T>(fn: (q: PostgresStatements) => Promise<T>): Promise<T> {
    const held = await acquireConnection(this.#dataSource);
    let destroy: Error | undefined;
    try {
      await begin(held, BEGIN_READ);
      const value = await fn(held.statements);
      await held.client.query('COMMIT');
      this.stats.reads++;
      return value;
    } catch (error) {
      destroy = await rollback(held);
      throw wrapPostgresError(error, 'read failed');
    } finally {
      await held.release(destroy);
    }
  }

  /** Nobody of ours or not queues for a pooled connection, and one is idle or may be opened. */
  #poolFree(): boolean {
    const pool = poolOf(this.#dataSource);
    const max = (pool as unknown as { options?: { max?: number } }).options?.max ?? 10;
    return !(this.#normalWaiting > 0 || pool.waitingCount > 0 || (pool.totalCount >= max && pool.idleCount === 0));
  }

  /**
   * A connection for one attempt. A normal write counts as waiting while it queues for the
   * pool. A low-priority one never joins the pool's queue: it asks only when a connection is
   * idle (or the pool may open another) and nobody else, of ours or not, is queued.
   */
  async #acquire(lowPriority: boolean): Promise<HeldConnection> {
    if (lowPriority) {
      const pool = poolOf(this.#dataSource);
      while (!this.#poolFree()) await nextPoolEvent(pool);
      return acquireConnection(this.#dataSource);
    }
    this.#normalWaiting++;
    try {
      return await acquireConnection(this.#dataSource);
    } finally {
      this.#normalWaiting--;
    }
  }
}

/** Until the pool gives a connection back or drops one (or 50 ms, in case an event came before we listened). */
function nextPoolEvent(pool: pg.Pool): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pool.off('release', done);
      pool.off('remove', done);
      resolve();
    };
    const timer = setTimeout(done, 50);
    pool.on('release', done);
    pool.on('remove', done);
  });
}

async function begin(held: HeldConnection, sql: string): Promise<void> {
  try {
    await held.client.query(sql);
  } catch (error) {
    throw wrapPostgresError(error, 'cannot begin a transaction');
  }
}

/** The last attempt's error, as the typed error of its cause, with how many attempts were made. */
function gaveUp(error: unknown, cause: RetryCause, attempts: number): PostgresStorageError {
  const wrapped = wrapPostgresError(error, 'write failed');
  const code = cause === 'connection_lost' ? 'connection_failed' : cause;
  const pgCode = isPostgresStorageError(wrapped) ? wrapped.pgCode : undefined;
  return new PostgresStorageError(code, `gave up after ${attempts} attempts: ${describeError(wrapped)}`, {
    ...(pgCode ? { pgCode } : {}),
    cause: error,
    details: { attempts, retryCause: cause, ...(isPostgresStorageError(wrapped) ? wrapped.details : {}) },
  });
}

function closedError(): PostgresStorageError {
  return new PostgresStorageError('closed', 'write path is closed');
}
