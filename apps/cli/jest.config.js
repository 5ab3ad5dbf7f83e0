import { createJestConfig } from '@cairn/tooling/jest';

export default createJestConfig(import.meta.dirname, { postgres: true });
