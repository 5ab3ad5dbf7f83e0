import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresStorageError } from '../errors.js';
import { DEFAULT_MAX_PREPARED_STATEMENTS } from '../statements/statements.js';

interface OpenedWith {
  maxPrepared: number;
  redactedUrl: string;
}

/** What openPostgresDatabase chose for a DataSource; one it did not open gets the defaults. */
const opened = new WeakMap<DataSource, OpenedWith>();

export function registerDataSource(dataSource: DataSource, config: OpenedWith): void {
  opened.set(dataSource, config);
}

export function openedWith(dataSource: DataSource): OpenedWith {
  return opened.get(dataSource) ?? { maxPrepared: DEFAULT_MAX_PREPARED_STATEMENTS, redactedUrl: '(unknown)' };
}

/** The pg pool behind a PostgreSQL DataSource; `closed` once it is destroyed. */
export function poolOf(dataSource: DataSource): pg.Pool {
  if (dataSource.options.type !== 'postgres') {
    throw new PostgresStorageError('invalid_options', `expected a postgres DataSource, got ${dataSource.options.type}`);
  }
  const pool = (dataSource.driver as unknown as { master?: pg.Pool }).master;
  if (!dataSource.isInitialized || !pool || (pool as unknown as { ending?: boolean }).ending) {
    throw new PostgresStorageError('closed', 'database is not open');
  }
  return pool;
}
