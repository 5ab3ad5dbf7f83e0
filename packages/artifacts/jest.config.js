import { createJestConfig } from '@cairn/tooling/jest';

// As in packages/crud: one suite, two backends. Every test runs as the `sqlite` project; every
// suite that opens a store (`*.int.test.ts`) runs again as the `postgres` project on the jest
// run's PostgreSQL test server, `globals.CAIRN_TEST_BACKEND` telling `src/testing/temp-service.ts`
// which database to open. File-system-only suites (`*.fs.test.ts`) run once.
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
