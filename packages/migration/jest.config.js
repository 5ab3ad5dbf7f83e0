import { createJestConfig } from '@cairn/tooling/jest';

// The runner's contract suites run on SQLite and on a real PostgreSQL (one server per run).
export default createJestConfig(import.meta.dirname, { postgres: true });
