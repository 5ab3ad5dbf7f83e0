import { PostgresWritePath, withAdvisoryLock } from '@cairn/postgres';
import type { DataSource } from 'typeorm';
import type { KeyLockScope, KeystoreStorage } from '../store/keystore-storage.js';

/** The advisory lock key under which a keystore schema's key files and `keystore_meta` change. */
export function keyLockKey(schema: string): string {
  return `cairn.keystore.key:${schema}`;
}

export interface PostgresStorageOptions {
  /** Longest wait for the key lock (a rotation of another process holds it for its duration). */
  lockWaitMs: number;
  /** Destroy the DataSource at close (the keystore opened it). */
  ownsDataSource: boolean;
}

/**
 * A keystore schema as a `KeystoreStorage`. Writes go through `PostgresWritePath` (SERIALIZABLE,
 * retried on serialization failures and deadlocks, so their work is database work only), reads
 * through its `read` (one REPEATABLE READ READ ONLY snapshot each), never a cache: what another
 * process committed is what the next read sees.
 *
 * The key lock is a session advisory lock (`pg_advisory_lock`) on one pooled connection, held
 * while the scope's transactions run on others: it outlives them, so key files can change
 * between them (stage before the re-encrypting transaction, promote after its COMMIT) and
 * never inside a retried work. A process that dies holding it loses its session, and with it
 * the lock. The pool therefore needs two connections for a key-locked operation.
 */
export function createPostgresStorage(dataSource: DataSource, schema: string, options: PostgresStorageOptions): KeystoreStorage {
  const writes = new PostgresWritePath(dataSource);
  const scope: KeyLockScope = { read: (fn) => writes.read(fn), write: (work) => writes.write(work) };
  return {
    write: (work) => writes.write(work),
    read: (fn) => writes.read(fn),
    withKeyLock: (fn) => withAdvisoryLock(dataSource, keyLockKey(schema), () => fn(scope), { waitMs: options.lockWaitMs }),
    async close() {
      await writes.close();
      if (options.ownsDataSource && dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
