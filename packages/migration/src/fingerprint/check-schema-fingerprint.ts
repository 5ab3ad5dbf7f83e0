import type { DataSource } from 'typeorm';
import { MIGRATION_TABLE } from '../runner/bookkeeping.js';
import { MigrationError } from '../runner/migration-error.js';
import { assertSchemaCompatible } from '../runner/assert-schema-compatible.js';
import { dialectOf } from '../runner/dialect.js';
import type { MigrationSet } from '../runner/types.js';
import { replaySchema } from './replay-schema.js';
import { readSchemaListing, schemaFingerprint, type SchemaObject } from './schema-listing.js';

/** One way the live schema differs from what the migrations made. */
export type SchemaDifference =
  | { readonly kind: 'missing'; readonly type: SchemaObject['type']; readonly name: string }
  | { readonly kind: 'extra'; readonly type: SchemaObject['type']; readonly name: string }
  | {
      readonly kind: 'changed';
      readonly type: SchemaObject['type'];
      readonly name: string;
      readonly expected: { tblName: string; sql: string | null };
      readonly actual: { tblName: string; sql: string | null };
    }
  /** No frozen fingerprint for this version (a migration was added without one; the fingerprint test says what to paste). */
  | { readonly kind: 'no_fingerprint'; readonly version: number }
  /** Same objects as a replay of the migrations, yet not the frozen fingerprint: this SQLite (or PostgreSQL) records the schema differently. */
  | { readonly kind: 'fingerprint_only'; readonly expected: string; readonly actual: string };

export interface SchemaFingerprintReport {
  readonly service: string;
  /** The version the database records for the service. */
  readonly version: number;
  readonly ok: boolean;
  /** The frozen fingerprint of `version`; undefined at version 0 or when none is frozen. */
  readonly expected: string | undefined;
  readonly actual: string;
  /** Empty when `ok`. */
  readonly differences: readonly SchemaDifference[];
}

/**
 * Compares the schema objects of a live database with exactly what `set`'s migrations made
 * at the version the database records (read-only). The file (on PostgreSQL: the schema) must
 * hold one service's migrations (true of gateway.db and keystore.db, and of the gateway's and
 * the keystore's schemas): any other object is `extra`.
 *
 * Fast path: one catalog read and a hash against the frozen value of the dialect
 * (`fingerprints` for SQLite, `postgresFingerprints` for PostgreSQL). Only on a mismatch are
 * the migrations replayed (SQLite: in memory; PostgreSQL: in a scratch schema inside a
 * transaction that is rolled back) to name each difference. Throws what
 * `assertSchemaCompatible` throws first (`schema_too_new`, `checksum_mismatch`,
 * `migration_gap`, `unsupported_database`): a version this build does not know has no
 * expected schema.
 */
export async function checkSchemaFingerprint(dataSource: DataSource, set: MigrationSet): Promise<SchemaFingerprintReport> {
  // The version and the listing are separate reads: another process migrating meanwhile (two
  // gateways starting together on one PostgreSQL database) can commit a migration between
  // them, and the listing then holds objects of a version the check did not read. Each
  // migration commits its objects and its bookkeeping row together, so if the version is the
  // same after a failed check, nothing was migrated in between and the difference is real;
  // if it moved, the check runs again on the newer version.
  for (let attempt = 1; ; attempt++) {
    const report = await checkOnce(dataSource, set);
    if (report.ok || attempt >= MAX_CHECKS) return report;
    const { currentVersion } = await assertSchemaCompatible(dataSource, set);
    if (currentVersion === report.version) return report;
  }
}

/** Checks made at most while a concurrent migration keeps moving the version (8 migrations: 9 suffice). */
const MAX_CHECKS = 10;

async function checkOnce(dataSource: DataSource, set: MigrationSet): Promise<SchemaFingerprintReport> {
  const { currentVersion: version } = await assertSchemaCompatible(dataSource, set);
  const live = await readSchemaListing(dataSource);
  const actual = schemaFingerprint(live);
  const report = (expected: string | undefined, differences: SchemaDifference[]): SchemaFingerprintReport => ({
    service: set.service,
    version,
    ok: differences.length === 0,
    expected,
    actual,
    differences,
  });
  if (version === 0) {
    // Nothing applied: a fresh file, or one migrated all the way down (the runner's own table may remain).
    const own = (o: SchemaObject) => o.name === MIGRATION_TABLE || o.tblName === MIGRATION_TABLE;
    return report(undefined, live.filter((o) => !own(o)).map((o) => ({ kind: 'extra', type: o.type, name: o.name })));
  }
  const expected = (dialectOf(dataSource) === 'postgres' ? set.postgresFingerprints : set.fingerprints)?.[version];
  if (expected === actual) return report(expected, []);
  const differences = diffListings(await replaySchema(dataSource, set, version), live);
  if (expected === undefined) return report(undefined, [{ kind: 'no_fingerprint', version }, ...differences]);
  return report(expected, differences.length > 0 ? differences : [{ kind: 'fingerprint_only', expected, actual }]);
}

/** `checkSchemaFingerprint`, throwing `schema_mismatch` (differences in the message and in `details`) unless ok. */
export async function assertSchemaFingerprint(dataSource: DataSource, set: MigrationSet): Promise<SchemaFingerprintReport> {
  const report = await checkSchemaFingerprint(dataSource, set);
  if (report.ok) return report;
  const described = report.differences.map(describeSchemaDifference);
  throw new MigrationError(
    'schema_mismatch',
    `${set.service} schema is not what its migrations make at version ${report.version}: ${described.join('; ')}`,
    { details: { service: set.service, version: report.version, expected: report.expected, actual: report.actual, differences: described } },
  );
}

/** What differs between an expected and a live listing, in listing order. */
export function diffListings(expected: readonly SchemaObject[], actual: readonly SchemaObject[]): SchemaDifference[] {
  // A PostgreSQL constraint is named per table (two tables may each have one `x`).
  const key = (o: SchemaObject) => `${o.type}\u0000${o.name}${o.type === 'constraint' ? `\u0000${o.tblName}` : ''}`;
  const live = new Map(actual.map((o) => [key(o), o]));
  const wanted = new Map(expected.map((o) => [key(o), o]));
  const differences: SchemaDifference[] = [];
  for (const want of expected) {
    const have = live.get(key(want));
    if (!have) differences.push({ kind: 'missing', type: want.type, name: want.name });
    else if (have.sql !== want.sql || have.tblName !== want.tblName) {
      differences.push({
        kind: 'changed',
        type: want.type,
        name: want.name,
        expected: { tblName: want.tblName, sql: want.sql },
        actual: { tblName: have.tblName, sql: have.sql },
      });
    }
  }
  for (const have of actual) if (!wanted.has(key(have))) differences.push({ kind: 'extra', type: have.type, name: have.name });
  return differences;
}

/** One line for an operator: `missing trigger trg_journal_event_no_update`, `extra index idx_x`, `changed sql of table turn`. */
export function describeSchemaDifference(difference: SchemaDifference): string {
  switch (difference.kind) {
    case 'missing':
    case 'extra':
      return `${difference.kind} ${difference.type} ${difference.name}`;
    case 'changed':
      return difference.expected.tblName !== difference.actual.tblName
        ? `changed ${difference.type} ${difference.name} (on ${difference.actual.tblName}, expected ${difference.expected.tblName})`
        : `changed sql of ${difference.type} ${difference.name}`;
    case 'no_fingerprint':
      return `no frozen schema fingerprint for version ${difference.version} (add one: see "Schema fingerprints" in @cairn/migration's README)`;
    case 'fingerprint_only':
      return `schema fingerprint ${difference.actual.slice(0, 12)}… is not the frozen ${difference.expected.slice(0, 12)}…, though every object matches a replay of the migrations`;
  }
}
