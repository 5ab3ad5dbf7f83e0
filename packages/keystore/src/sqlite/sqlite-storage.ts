import { createStatements, nativeHandle, type SqliteWriteCoordinator } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { asyncStatements, type KeyLockScope, type KeystoreStorage } from '../store/keystore-storage.js';

/**
 * keystore.db as a `KeystoreStorage`. Writes go through the `SqliteWriteCoordinator` (one
 * `BEGIN IMMEDIATE` transaction each); reads use a second, read-only connection, so they never
 * see a write transaction's uncommitted rows and never wait for one. The key lock is
 * keystore.db's write lock: a scope's reads and writes all run in that one transaction.
 */
export function createSqliteStorage(writer: DataSource, reader: DataSource, coordinator: SqliteWriteCoordinator): KeystoreStorage {
  const read = asyncStatements(createStatements(nativeHandle(reader)));
  return {
    write: (work) => coordinator.write((ctx) => work(asyncStatements(ctx))),
    read: (fn) => fn(read),
    withKeyLock: (fn) =>
      coordinator.write((ctx) => {
        const tx = asyncStatements(ctx);
        const scope: KeyLockScope = { read: (f) => f(tx), write: (work) => work(tx) };
        return fn(scope);
      }),
    async close() {
      await coordinator.close();
      if (reader.isInitialized) await reader.destroy();
      if (writer.isInitialized) await writer.destroy();
    },
  };
}
