import { createJestConfig } from '@cairn/tooling/jest';

// `postgres: true`: one PostgreSQL test server per run, for the entity/schema contract on PostgreSQL.
export default createJestConfig(import.meta.dirname, { postgres: true });
