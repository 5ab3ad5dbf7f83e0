import type { SqliteStatements } from '@cairn/sqlite';

/**
 * Statements on the keystore's tables, written once for both dialects: `?` placeholders
 * (`@cairn/postgres` turns them into `$n`), results as plain rows, BLOB/bytea as Buffers.
 * `PostgresStatements` is this already; SQLite's synchronous statements are wrapped.
 */
export interface KeystoreStatements {
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

/**
 * What runs while the key lock is held: reads and writes that see everything committed before
 * the lock was granted. On SQLite both join the lock's own transaction (`BEGIN IMMEDIATE` is
 * the lock); on PostgreSQL each is a transaction of its own while the lock is held.
 */
export interface KeyLockScope {
  read<T>(fn: (q: KeystoreStatements) => Promise<T>): Promise<T>;
  write<T>(work: (tx: KeystoreStatements) => Promise<T>): Promise<T>;
}

/**
 * Where an encrypted keystore keeps its rows: keystore.db or a PostgreSQL schema. The shared
 * keystore (`EncryptedKeystore`) is written against this, so sealing, validation, rotation
 * and change notification exist once.
 */
export interface KeystoreStorage {
  /**
   * One write transaction. The work may run more than once (PostgreSQL retries serialization
   * failures and deadlocks; SQLite retries a busy lock): database work only, no key files,
   * no notifications. Resolves once committed.
   */
  write<T>(work: (tx: KeystoreStatements) => Promise<T>): Promise<T>;
  /** Reads, never waiting for a writer, never seeing uncommitted rows. */
  read<T>(fn: (q: KeystoreStatements) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` holding the key lock: the one lock under which key files are created, staged,
   * promoted or discarded and `keystore_meta` changes, so two processes never move them under
   * each other. SQLite: keystore.db's write lock. PostgreSQL: a session advisory lock per
   * keystore schema. Never nested.
   */
  withKeyLock<T>(fn: (scope: KeyLockScope) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQLite's synchronous statements as `KeystoreStatements`. */
export function asyncStatements(db: Pick<SqliteStatements, 'get' | 'all' | 'run'>): KeystoreStatements {
  return {
    get: async <T>(sql: string, params?: readonly unknown[]) => db.get<T>(sql, params),
    all: async <T>(sql: string, params?: readonly unknown[]) => db.all<T>(sql, params),
    run: async (sql, params) => ({ changes: db.run(sql, params).changes }),
  };
}
