import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { SqliteWriteCoordinator, nativeHandle, openSqliteDatabase, type NativeDatabase } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { createSqliteReadPort, sqliteJob } from '../../port/sqlite-port.js';
import type { StoragePort } from '../../port/types.js';

/** A migrated gateway.db in a fresh temp dir, for the journal's real-SQLite tests. */
export interface JournalTestDb {
  dir: string;
  path: string;
  dataSource: DataSource;
  coordinator: SqliteWriteCoordinator;
  native: NativeDatabase;
  /**
   * The storage port over this one connection: writes through `coordinator`, reads in their
   * own read transaction on the same connection (the tests never overlap the two).
   */
  port: Pick<StoragePort, 'dialect' | 'read' | 'write'>;
  /** Closes everything this helper opened; with `removeDir` (default) deletes the dir and its -wal/-shm. */
  close(options?: { removeDir?: boolean }): Promise<void>;
}

export async function openJournalTestDb(dir = mkdtempSync(join(tmpdir(), 'cairn-journal-'))): Promise<JournalTestDb> {
  const path = join(dir, 'gateway.db');
  const dataSource = await openSqliteDatabase({ path });
  await runMigrations(dataSource, gatewayMigrations);
  const coordinator = new SqliteWriteCoordinator(dataSource);
  const reads = createSqliteReadPort(dataSource);
  return {
    dir,
    path,
    dataSource,
    coordinator,
    native: nativeHandle(dataSource),
    port: { dialect: reads.dialect, read: reads.read, write: (work) => coordinator.write(sqliteJob(work)) },
    async close({ removeDir = true } = {}) {
      await coordinator.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      if (removeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
