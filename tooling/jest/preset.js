// Shared jest preset. Every package runs its TypeScript sources as native ESM
// (jest --experimental-vm-modules), transformed by swc. Sibling packages resolve through
// their exports map's "@cairn/source" condition to src/, so no test needs a prior build.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

/**
 * @param {string} packageDir absolute path of the package (import.meta.dirname)
 * @param {object} overrides jest options; `postgres: true` starts one real PostgreSQL test
 *   server for the run (tooling/postgres), from which tests take fresh databases with
 *   `createTestDatabase()` from `@cairn/tooling/postgres`.
 */
export function createJestConfig(packageDir, { postgres = false, ...overrides } = {}) {
  const here = import.meta.dirname;
  return {
    ...(postgres
      ? { globalSetup: join(here, '..', 'postgres', 'global-setup.js'), globalTeardown: join(here, '..', 'postgres', 'global-teardown.js') }
      : {}),
    rootDir: packageDir,
    roots: ['src', 'test', 'bench'].filter((d) => existsSync(join(packageDir, d))).map((d) => `<rootDir>/${d}`),
    testEnvironment: 'node',
    testEnvironmentOptions: {
      customExportConditions: ['@cairn/source', 'node', 'node-addons'],
    },
    extensionsToTreatAsEsm: ['.ts'],
    moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'node'],
    transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testMatch: ['**/?(*.)test.ts'],
    testTimeout: 30_000,
    // Packages a later issue fills (artifacts, client) have no tests yet and must still pass.
    passWithNoTests: true,
    ...overrides,
  };
}
