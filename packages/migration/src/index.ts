export type { Migration, MigrationSet } from './runner/types.js';
