import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { SqliteStorageError } from '../errors.js';

/**
 * A read-only DataSource on a backup file (or any database file nobody writes), which may be in
 * rollback-journal mode, as `backupDatabase` leaves its copies; `openSqliteDatabase` insists
 * on WAL and would refuse it. Nothing is ever written through it; destroy it when done.
 */
export async function openBackupDatabase(path: string): Promise<DataSource> {
  const ds = new DataSource({ type: 'better-sqlite3', database: path, driver: Database, readonly: true, fileMustExist: true, entities: [] });
  try {
    await ds.initialize();
  } catch (cause) {
    throw new SqliteStorageError('open_failed', `cannot open ${path}: ${(cause as Error).message}`, { cause, details: { path } });
  }
  return ds;
}
