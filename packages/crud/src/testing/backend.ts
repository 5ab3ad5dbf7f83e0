import { describe, it } from '@jest/globals';

/**
 * Which database crud's integration suites run against: jest.config.js runs every
 * `*.int.test.ts` twice, as the `sqlite` and the `postgres` project, which set
 * `globals.CAIRN_TEST_BACKEND`. The fixtures that open stores (`openTempStore` and those
 * built on it) read it; a test never branches on it except through the helpers below.
 */
export type TestBackend = 'sqlite' | 'postgres';

export const TEST_BACKEND: TestBackend = (globalThis as { CAIRN_TEST_BACKEND?: TestBackend }).CAIRN_TEST_BACKEND ?? 'sqlite';

/**
 * For what only SQLite has (file modes, WAL, query plans, tampering with the file through a
 * raw connection, FTS5's tokenizer, kill points inside the coordinator): skipped, and so
 * reported, on the other backends. Keep the list short; say why at each use.
 */
export const describeSqlite = (TEST_BACKEND === 'sqlite' ? describe : describe.skip) as typeof describe;
export const itSqlite = (TEST_BACKEND === 'sqlite' ? it : it.skip) as typeof it;
/** PostgreSQL-only: concurrency between pools, advisory locks, tsquery. */
export const describePostgres = (TEST_BACKEND === 'postgres' ? describe : describe.skip) as typeof describe;
