import { createJestConfig } from '@cairn/tooling/jest';

// One suite, two backends: every test runs as the `sqlite` project; every integration suite
// (`*.int.test.ts`) runs again as the `postgres` project, on the jest run's PostgreSQL test
// server (`postgres: true`), with `globals.CAIRN_TEST_BACKEND` telling the fixtures
// (`src/testing/temp-store.ts`) which database to open. Unit tests touch no database and run
// once. What only SQLite has is marked with `describeSqlite`/`itSqlite` (src/testing/backend.ts).
const { globalSetup, globalTeardown, testTimeout, passWithNoTests, ...project } = createJestConfig(import.meta.dirname, { postgres: true });

export default {
  globalSetup,
  globalTeardown,
  testTimeout,
  passWithNoTests,
  projects: [
    { ...project, testTimeout, displayName: 'sqlite', globals: { CAIRN_TEST_BACKEND: 'sqlite' } },
    { ...project, testTimeout, displayName: 'postgres', testMatch: ['**/?(*.)int.test.ts'], globals: { CAIRN_TEST_BACKEND: 'postgres' } },
  ],
};
