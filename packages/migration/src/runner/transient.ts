import { setTimeout as sleep } from 'node:timers/promises';

const ATTEMPTS = 20;
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 250;

/**
 * A lock race that another process (a racing migration, the first open of a fresh file) can
 * cause and that is gone a moment later: SQLITE_PROTOCOL (two WAL connections starting a
 * transaction at the same instant, after SQLite's own ~100 retries) and SQLITE_BUSY_RECOVERY
 * (another connection is rebuilding the wal-index). A plain SQLITE_BUSY is not one: it comes
 * after busy_timeout was already waited out. On PostgreSQL: a deadlock (40P01, a migration's
 * DDL against the application's row locks: the server aborted one side) and a serialization
 * failure (40001); a lock_timeout (55P03) is not, like SQLITE_BUSY. Read through TypeORM's
 * `driverError` and our `cause`.
 */
const TRANSIENT_CODES: ReadonlySet<unknown> = new Set(['SQLITE_PROTOCOL', 'SQLITE_BUSY_RECOVERY', '40P01', '40001']);

function isTransientLockError(error: unknown): boolean {
  for (let e = error as { code?: unknown; driverError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (TRANSIENT_CODES.has(e.code)) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * Runs `fn` again after a jittered, growing pause while it fails with a transient lock race
 * (bounded: about 3 s in all). `fn` must be safe to repeat: the runner's reads are, and each
 * migration step is one transaction that rolled back before it failed.
 */
export async function retryTransient<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isTransientLockError(error)) throw error;
      await sleep(Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
    }
  }
}
