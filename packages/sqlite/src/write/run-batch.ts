import type { DataSource } from 'typeorm';
import { SqliteStorageError, isBusyError, wrapSqliteError } from '../errors.js';
import { nativeHandle, type NativeDatabase } from '../open/native.js';
import { backoffDelay, sleep, type RetryPolicy } from './backoff.js';
import { beginImmediate, describeError, markTypeormTransaction, safeRollback, transactionStatements } from './transaction.js';
import type { WriteContext, WriteCoordinatorStats, WriteWork } from './types.js';

/** `busy` is only ever given to a low-priority job: it did not run because the lock was taken. */
export type JobOutcome = { status: 'committed'; value: unknown } | { status: 'failed'; error: unknown } | { status: 'busy' };

export interface BatchJob {
  work: WriteWork<unknown>;
  lowPriority: boolean;
  outcome?: JobOutcome;
}

export interface BatchEnv {
  dataSource: DataSource;
  retry: RetryPolicy;
  stats: WriteCoordinatorStats;
  context(db: NativeDatabase): WriteContext;
}

type JobsResult = 'done' | 'busy' | { aborted: BatchJob };

/**
 * Runs one batch to a final outcome for every job; a job's outcome is `committed` only after
 * COMMIT returned, and a failed job leaves nothing behind.
 *
 * A group first runs optimistically, all jobs in one transaction without savepoints. If a job
 * fails, the transaction is rolled back, that job keeps its error, and the others run again
 * in a fresh transaction, this time each in its own savepoint (so a second failure costs no
 * third run). Savepoints are not free: every page a job touches is first copied to the
 * statement journal, and RELEASE discards it; together ~25% of a 64-job group's time, paid on
 * every job to protect against failures that are rare (a refused event, a conflict). The
 * result is the same either way: the failed job saw the state of the jobs before it, and the
 * rest commit as if it had never run. A lone job never needs one: if it fails, the
 * transaction is rolled back, which undoes exactly that job.
 *
 * If SQLite itself rolls the whole transaction back (SQLITE_FULL, SQLITE_IOERR, ...), the job
 * that caused it fails and the others run again likewise; on SQLITE_BUSY the whole batch runs
 * again after a backoff.
 */
export async function runBatch(env: BatchEnv, batch: BatchJob[]): Promise<void> {
  const lowPriority = batch.length === 1 && batch[0]!.lowPriority;
  let live = batch;
  let busyAttempts = 0;
  let isolate = false;
  while (live.length > 0) {
    for (const job of live) delete job.outcome;
    let db: NativeDatabase;
    try {
      db = nativeHandle(env.dataSource);
    } catch (error) {
      return settle(live, { status: 'failed', error });
    }
    const began = beginImmediate(db, lowPriority ? 0 : env.retry.lockWaitMs);
    if (began === 'busy') {
      if (lowPriority) return settle(live, { status: 'busy' });
      if (await backOff(env, busyAttempts++, live)) continue;
      return;
    }
    if (began !== 'ok') return settle(live, { status: 'failed', error: began });

    let result: JobsResult;
    markTypeormTransaction(env.dataSource, true);
    try {
      result = await runJobs(db, live, env.context(db), isolate && live.length > 1);
    } catch (error) {
      // Only an internal fault lands here (job errors are caught per job).
      safeRollback(db);
      return settle(live, { status: 'failed', error: internalError(error) });
    } finally {
      markTypeormTransaction(env.dataSource, false);
    }

    if (result === 'busy') {
      safeRollback(db);
      if (lowPriority) return settle(live, { status: 'busy' });
      if (await backOff(env, busyAttempts++, live)) continue;
      return;
    }
    if (result !== 'done') {
      safeRollback(db);
      live = live.filter((job) => job !== result.aborted);
      isolate = true;
      env.stats.rerunBatches++;
      continue;
    }
    if (await commit(env, db, live, () => backOff(env, busyAttempts++, live))) continue;
    return;
  }
}

/**
 * Runs the jobs in order inside the open transaction. Without `isolate`, a failure in a group
 * answers `aborted` (the caller rolls back and runs the others again); a lone job's failure
 * is left for commit() to roll back.
 */
async function runJobs(db: NativeDatabase, jobs: BatchJob[], ctx: WriteContext, isolate: boolean): Promise<JobsResult> {
  const tx = transactionStatements(db);
  for (const job of jobs) {
    if (isolate) tx.savepoint.run();
    try {
      const value = await job.work(ctx);
      if (isolate) tx.release.run();
      job.outcome = { status: 'committed', value };
    } catch (error) {
      if (isBusyError(error)) return 'busy';
      job.outcome = { status: 'failed', error: wrapSqliteError(error, 'write failed') };
      if (!db.inTransaction) return { aborted: job };
      if (!isolate) {
        if (jobs.length > 1) return { aborted: job };
        continue;
      }
      try {
        tx.rollbackTo.run();
        tx.release.run();
        ctx.scratch.clear();
      } catch {
        return { aborted: job };
      }
    }
  }
  return 'done';
}

/** Commits (or rolls back a batch where every job failed). Returns true when the batch must run again. */
async function commit(env: BatchEnv, db: NativeDatabase, jobs: BatchJob[], retry: () => Promise<boolean>): Promise<boolean> {
  const committed = jobs.filter((job) => job.outcome?.status === 'committed');
  if (committed.length === 0) {
    safeRollback(db);
    return false;
  }
  try {
    transactionStatements(db).commit.run();
  } catch (cause) {
    safeRollback(db);
    if (isBusyError(cause) && (await retry())) return true;
    const error = wrapSqliteError(cause, 'commit failed');
    for (const job of committed) job.outcome = { status: 'failed', error };
    return false;
  }
  env.stats.commits++;
  env.stats.jobs += committed.length;
  return false;
}

/** Sleeps before the next attempt, or settles the batch as `busy` when the attempts are spent. */
async function backOff(env: BatchEnv, attempt: number, jobs: BatchJob[]): Promise<boolean> {
  if (attempt + 1 >= env.retry.maxAttempts) {
    const error = new SqliteStorageError('busy', `database stayed locked by another writer after ${attempt + 1} attempts`, {
      details: { attempts: attempt + 1 },
    });
    settle(jobs, { status: 'failed', error });
    return false;
  }
  env.stats.busyRetries++;
  await sleep(backoffDelay(attempt, env.retry));
  return true;
}

function settle(jobs: BatchJob[], outcome: JobOutcome): void {
  for (const job of jobs) job.outcome = outcome;
}

function internalError(error: unknown): SqliteStorageError {
  return new SqliteStorageError('storage_failed', `write transaction failed: ${describeError(error)}`, { cause: error });
}
