export type { Dialect, DialectSql, Migration, MigrationSet } from './runner/types.js';
export { runMigrations, type MigrationReport, type RunMigrationsOptions } from './runner/run-migrations.js';
export { migrateDown, type MigrateDownReport } from './runner/migrate-down.js';
export { assertSchemaCompatible, type SchemaCompatibility } from './runner/assert-schema-compatible.js';
export { readMigrationState, type MigrationState } from './runner/read-migration-state.js';
export { MIGRATION_TABLE, type AppliedMigration } from './runner/bookkeeping.js';
export { migrationChecksum } from './runner/checksum.js';
export { MigrationError, isMigrationError, type MigrationErrorCode } from './runner/migration-error.js';
export { gatewayMigrations } from './gateway/index.js';
export { keystoreMigrations } from './keystore/index.js';
export {
  assertSchemaFingerprint,
  checkSchemaFingerprint,
  describeSchemaDifference,
  type SchemaDifference,
  type SchemaFingerprintReport,
} from './fingerprint/check-schema-fingerprint.js';
export { canonicalListing, readSchemaListing, schemaFingerprint, type SchemaObject } from './fingerprint/schema-listing.js';
