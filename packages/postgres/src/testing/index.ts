import { createTestDatabase } from '@cairn/tooling/postgres';
import type { DataSource } from 'typeorm';
import { openPostgresDatabase, type OpenPostgresOptions } from '../open/open-postgres-database.js';

export interface TestPostgresDatabase {
  dataSource: DataSource;
  url: string;
  name: string;
}

/**
 * A fresh, empty database on the jest run's PostgreSQL test server (a package's
 * jest.config.js sets `{ postgres: true }`), opened with `openPostgresDatabase`. Destroy
 * the DataSource when done; the server and its databases go at the end of the run.
 */
export async function openTestPostgresDatabase(options: Omit<OpenPostgresOptions, 'url'> = {}): Promise<TestPostgresDatabase> {
  const { url, name } = await createTestDatabase('cairn_pg');
  const dataSource = await openPostgresDatabase({ ...options, url });
  return { dataSource, url, name };
}
