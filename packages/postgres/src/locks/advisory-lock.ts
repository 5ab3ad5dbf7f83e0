import type { DataSource } from 'typeorm';
import { PostgresStorageError, isPostgresStorageError, wrapPostgresError } from '../errors.js';
import { acquireConnection, sessionOf, transactionStatus, type HeldConnection, type PostgresSession } from '../connection/session.js';
import type { PostgresStatements } from '../statements/statements.js';

/**
 * The key every migration runner of Cairn takes before it looks at the schema, so two
 * gateways starting at once never migrate concurrently. A runner inside a transaction may
 * take it as `SELECT pg_advisory_xact_lock(hashtext('cairn.schema_migration'))`.
 */
export const SCHEMA_MIGRATION_LOCK_KEY = 'cairn.schema_migration';

export interface AdvisoryLockOptions {
  /**
   * Longest wait for the lock. Default: the connection's `lock_timeout` (10 s unless opened
   * otherwise). `0` tries once without waiting; `Infinity` waits for as long as it takes
   * (a migration of another gateway may take minutes). Then `lock_timeout`.
   */
  waitMs?: number;
}

/**
 * Runs `fn` while this process holds the session-level advisory lock on `key`
 * (`pg_advisory_lock(hashtext(key))`), on one pooled connection that `fn` receives and may
 * use (its QueryRunner is what TypeORM migrations take). The lock is always released:
 * unlocked after `fn` settles, and if unlocking fails the connection is destroyed instead
 * of pooled, which ends the session and with it the lock.
 *
 * Keys are hashed to 32 bits: two keys may collide and then exclude each other (harmless,
 * only stricter). A lock held by a session whose connection dies is released by the server;
 * fn keeps running unaware, which is why migrations re-check under their own transaction.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  key: string,
  fn: (session: PostgresSession) => Promise<T>,
  options: AdvisoryLockOptions = {},
): Promise<T> {
  assertKey(key);
  const held = await acquireConnection(dataSource);
  let destroy: Error | undefined;
  try {
    await lockSession(held, key, options.waitMs);
    try {
      return await fn(sessionOf(held));
    } finally {
      destroy = await unlockSession(held, key);
    }
  } finally {
    await held.release(destroy);
  }
}

async function lockSession(held: HeldConnection, key: string, waitMs: number | undefined): Promise<void> {
  const q = held.statements;
  if (waitMs === 0) {
    const row = await q.get<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext(?)) AS locked', [key]);
    if (!row?.locked) throw heldElsewhere(key, undefined);
    return;
  }
  if (waitMs !== undefined && !(waitMs === Infinity || (Number.isInteger(waitMs) && waitMs > 0 && waitMs <= 2_147_483_647))) {
    throw new PostgresStorageError('invalid_options', `waitMs must be 0, a positive integer of milliseconds or Infinity, got ${waitMs}`);
  }
  try {
    if (waitMs !== undefined) {
      // lock_timeout bounds the wait (0 = none); statement_timeout must not cut it short.
      await q.get('SELECT set_config(?, ?, false), set_config(?, ?, false)', [
        'lock_timeout',
        waitMs === Infinity ? '0' : String(waitMs),
        'statement_timeout',
        '0',
      ]);
    }
    await q.get('SELECT pg_advisory_lock(hashtext(?))', [key]);
  } catch (error) {
    throw isPostgresStorageError(error) && error.code === 'lock_timeout' ? heldElsewhere(key, error) : error;
  } finally {
    // Back to the values the connection started with (RESET returns to the startup packet's).
    if (waitMs !== undefined) await q.exec('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
  }
}

/** Leaves any transaction fn left open, then unlocks; an error (destroy the connection) when the lock cannot be confirmed released. */
async function unlockSession(held: HeldConnection, key: string): Promise<Error | undefined> {
  if (held.broken) return held.broken;
  try {
    if (transactionStatus(held.client) !== 'I') await held.client.query('ROLLBACK');
    const row = await held.statements.get<{ unlocked: boolean }>('SELECT pg_advisory_unlock(hashtext(?)) AS unlocked', [key]);
    return row?.unlocked ? undefined : new Error(`advisory lock ${key} was not held at unlock`);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Takes the transaction-level advisory lock on `key` (`pg_advisory_xact_lock(hashtext(key))`)
 * inside the caller's transaction, e.g. in `PostgresWritePath.write`'s context; the server
 * releases it at COMMIT or ROLLBACK. Waits at most the connection's `lock_timeout`.
 */
export async function advisoryTransactionLock(q: PostgresStatements, key: string): Promise<void> {
  assertKey(key);
  try {
    await q.get('SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
  } catch (error) {
    throw isPostgresStorageError(error) && error.code === 'lock_timeout' ? heldElsewhere(key, error) : error;
  }
}

/** The same without waiting: true when this transaction now holds the lock, false when another session does. */
export async function tryAdvisoryTransactionLock(q: PostgresStatements, key: string): Promise<boolean> {
  assertKey(key);
  const row = await q.get<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext(?)) AS locked', [key]);
  return row?.locked === true;
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new PostgresStorageError('invalid_options', 'advisory lock key must be a non-empty string');
}

function heldElsewhere(key: string, cause: unknown): PostgresStorageError {
  return new PostgresStorageError('lock_timeout', `advisory lock ${key} is held by another session`, {
    pgCode: '55P03',
    details: { key },
    ...(cause === undefined ? {} : { cause: wrapPostgresError(cause, 'advisory lock') }),
  });
}
