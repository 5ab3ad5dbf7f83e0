import type { DataSource, QueryRunner } from 'typeorm';
import { lockDialect, type LockDialect } from './dialect.js';
import { isMigrationError, MigrationError } from './migration-error.js';
import { enterTarget, resolveTarget, type MigrationTarget } from './target.js';

export interface MigrationSession {
  /** Where this session migrates (resolved once, on its connection). */
  readonly target: MigrationTarget;
  /**
   * Runs `work` in one write transaction that holds the exclusive migration lock from its
   * first statement (on PostgreSQL then scoped to the target schema, created first when
   * `createSchema`), then runs the dialect's integrity check and commits. Any failure rolls
   * the whole transaction back.
   */
  transaction<T>(work: (runner: QueryRunner) => Promise<T>, options?: { createSchema?: boolean }): Promise<T>;
}

// better-sqlite3 gives the whole DataSource one connection: two runs in one process would
// interleave their statements inside each other's transaction. Queue them per DataSource.
// (A PostgreSQL DataSource is a pool, where the advisory lock alone would do; the queue
// costs nothing there.)
const queues = new WeakMap<DataSource, Promise<unknown>>();

export async function withMigrationSession<T>(dataSource: DataSource, fn: (session: MigrationSession) => Promise<T>): Promise<T> {
  const dialect = lockDialect(dataSource);
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    // One connection for the whole session: every transaction below runs on it.
    const runner = dataSource.createQueryRunner();
    try {
      const target = await resolveTarget(dataSource, runner);
      return await fn({
        target,
        transaction: (work, options = {}) =>
          inTransaction(runner, dialect, async () => {
            await enterTarget(runner, target, { create: options.createSchema ?? false });
            return work(runner);
          }),
      });
    } finally {
      await runner.release();
    }
  });
  queues.set(dataSource, run);
  try {
    return await run;
  } finally {
    if (queues.get(dataSource) === run) queues.delete(dataSource);
  }
}

async function inTransaction<T>(runner: QueryRunner, dialect: LockDialect, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  let began = false;
  let primary: unknown;
  try {
    for (const sql of dialect.beforeBegin) await runner.query(sql);
    try {
      for (const sql of dialect.begin) {
        await runner.query(sql);
        began = true;
      }
    } catch (cause) {
      throw new MigrationError('lock_failed', `cannot take the migration lock: ${describe(cause)}`, { cause });
    }
    const value = await work(runner);
    if (dialect.verify !== undefined) await assertNoViolations(runner, dialect.verify);
    await runner.query('COMMIT');
    began = false;
    return value;
  } catch (error) {
    primary = error;
    // Only roll back a transaction this function opened: if BEGIN failed because the caller
    // already had one open, that transaction is not ours to end.
    if (began) await runner.query('ROLLBACK').catch(() => undefined);
    if (isMigrationError(error)) throw error;
    throw new MigrationError('migration_failed', `migration transaction failed: ${describe(error)}`, { cause: error });
  } finally {
    await restore(runner, dialect, primary);
  }
}

async function assertNoViolations(runner: QueryRunner, verify: string): Promise<void> {
  const violations = (await runner.query(verify)) as Array<Record<string, unknown>>;
  if (violations.length > 0) {
    throw new MigrationError('migration_failed', `migration leaves ${violations.length} foreign key violation(s), e.g. ${JSON.stringify(violations[0])}`, {
      details: { violations: violations.slice(0, 20) },
    });
  }
}

/** Runs the dialect's after-statements (foreign keys back ON); their failure must not hide the primary error. */
async function restore(runner: QueryRunner, dialect: LockDialect, primary: unknown): Promise<void> {
  for (const sql of dialect.afterEnd) {
    try {
      await runner.query(sql);
    } catch (cause) {
      if (primary === undefined) {
        throw new MigrationError('migration_failed', `cannot restore connection state (${sql}): ${describe(cause)}`, { cause });
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
