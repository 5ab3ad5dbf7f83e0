import type { DataSource } from 'typeorm';
import { describeError, isPostgresStorageError } from '../errors.js';
import { withPostgresSession, type PostgresSession } from '../connection/session.js';

export interface PostgresIntegrityOptions {
  /** Schemas whose indexes are checked. Default: the connection's current schema. */
  schemas?: string[];
  /** Run amcheck's `bt_index_check` over every btree index (installing the extension in `AMCHECK_SCHEMA` if allowed). Default true. */
  amcheck?: boolean;
  /** Also verify every heap tuple has its index entry (`heapallindexed`): reads each table once. Default false. */
  heapAllIndexed?: boolean;
  /** Most findings reported. Default 100. */
  maxFindings?: number;
}

export type PostgresIntegrityFindingKind = 'invalid_index' | 'index_corrupt' | 'index_check_failed' | 'checksum_failures';

export interface PostgresIntegrityFinding {
  kind: PostgresIntegrityFindingKind;
  /** What the finding is about: `schema.index`, or the database for checksum failures. */
  name: string;
  message: string;
}

export type AmcheckStatus =
  | { status: 'ran'; indexesChecked: number; skipped: Array<{ name: string; reason: string }> }
  | { status: 'unavailable'; reason: string }
  | { status: 'off' };

export interface PostgresIntegrityChecks {
  schemas: string[];
  amcheck: AmcheckStatus;
  /** Whether the cluster was initialised with data checksums (`initdb --data-checksums`); without them a torn page goes unnoticed. */
  dataChecksums: boolean;
  /** `pg_stat_database.checksum_failures` of this database; null when checksums are off. */
  checksumFailures: number | null;
}

/** Shaped like `@cairn/sqlite`'s `IntegrityResult`: `problems` are the findings' messages. */
export type PostgresIntegrityResult =
  | { ok: true; findings: []; checks: PostgresIntegrityChecks }
  | { ok: false; problems: string[]; findings: PostgresIntegrityFinding[]; checks: PostgresIntegrityChecks };

/**
 * What PostgreSQL can tell about the health of Cairn's data, online (every check takes only
 * AccessShareLock): indexes left invalid by a failed `CREATE INDEX CONCURRENTLY` or `REINDEX
 * CONCURRENTLY` (`pg_index.indisvalid = false`; they are maintained but never used, and a
 * unique one does not enforce uniqueness), btree structure verified by amcheck when the
 * extension exists or can be installed in its own schema (postgresql-15 ships it in contrib; creating it needs a
 * superuser or a role allowed to), and data checksums: whether they are on and whether the
 * server has met a page that failed its checksum. Corruption found is a finding; a check
 * that could not run is reported in `checks`, not thrown.
 */
export async function checkPostgresIntegrity(dataSource: DataSource, options: PostgresIntegrityOptions = {}): Promise<PostgresIntegrityResult> {
  const maxFindings = Math.max(1, Math.floor(options.maxFindings ?? 100));
  return withPostgresSession(dataSource, async (q) => {
    const schemas = options.schemas ?? [((await q.get<{ schema: string | null }>('SELECT current_schema() AS schema'))?.schema ?? 'public')];
    const findings = await invalidIndexes(q, schemas);
    const amcheck = options.amcheck === false ? ({ status: 'off' } as const) : await runAmcheck(q, schemas, options.heapAllIndexed ?? false, findings);
    const checksums = await checksumStatus(q);
    if (checksums.failures) {
      findings.push({
        kind: 'checksum_failures',
        name: checksums.database,
        message: `database ${checksums.database}: ${checksums.failures} page(s) failed their data checksum (pg_stat_database.checksum_failures); restore from a backup`,
      });
    }
    const checks: PostgresIntegrityChecks = { schemas, amcheck, dataChecksums: checksums.enabled, checksumFailures: checksums.failures };
    const reported = findings.slice(0, maxFindings);
    return reported.length === 0
      ? { ok: true, findings: [], checks }
      : { ok: false, problems: reported.map((f) => f.message), findings: reported, checks };
  });
}

async function invalidIndexes(q: PostgresSession, schemas: string[]): Promise<PostgresIntegrityFinding[]> {
  // An index that a CREATE INDEX CONCURRENTLY is building right now is invalid too, until it
  // finishes: those (listed in pg_stat_progress_create_index) are not findings.
  const rows = await q.all<{ schema: string; index: string; table: string; ready: boolean }>(
    `SELECT n.nspname AS schema, c.relname AS index, t.relname AS "table", i.indisready AS ready
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE (NOT i.indisvalid OR NOT i.indisready)
        AND n.nspname = ANY(?::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid)
      ORDER BY 1, 2`,
    [schemas],
  );
  return rows.map((r) => ({
    kind: 'invalid_index' as const,
    name: `${r.schema}.${r.index}`,
    message: `index ${r.schema}.${r.index} on ${r.table} is invalid${r.ready ? '' : ' and not ready'} (left by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY): queries never use it and a unique one enforces nothing; drop it and create it again`,
  }));
}

/**
 * Where amcheck is installed when it is missing: a schema of its own, never the checked
 * schemas. Created in the first schema of the search path (Cairn's), its functions would be
 * extra objects there, and the schema fingerprint of the next start would refuse them.
 */
export const AMCHECK_SCHEMA = 'cairn_amcheck';

/** The schema amcheck lives in, installing it in `AMCHECK_SCHEMA` if it is missing and we may. */
async function amcheckSchema(q: PostgresSession): Promise<{ schema: string } | { reason: string }> {
  const find = () => q.get<{ schema: string }>(`SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'`);
  const existing = await find();
  if (existing) return existing;
  let failure: unknown;
  // Two checks installing it at the same instant: one of them meets a unique violation on the
  // schema or the extension, and the second round finds what the other made.
  for (let round = 0; round < 2; round++) {
    try {
      await q.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(AMCHECK_SCHEMA)}; CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA ${quoteIdent(AMCHECK_SCHEMA)}`);
      failure = undefined;
    } catch (error) {
      failure = error;
    }
    const found = await find();
    if (found) return found;
  }
  return { reason: failure === undefined ? 'amcheck was created but cannot be found' : describeError(failure) };
}

async function runAmcheck(q: PostgresSession, schemas: string[], heapAllIndexed: boolean, findings: PostgresIntegrityFinding[]): Promise<AmcheckStatus> {
  const located = await amcheckSchema(q);
  if ('reason' in located) return { status: 'unavailable', reason: located.reason };
  const indexes = await q.all<{ oid: number; name: string }>(
    `SELECT c.oid::int8 AS oid, n.nspname || '.' || c.relname AS name
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_am am ON am.oid = c.relam
      WHERE am.amname = 'btree' AND i.indisvalid AND i.indisready AND c.relpersistence <> 't'
        AND n.nspname = ANY(?::text[])
      ORDER BY 2`,
    [schemas],
  );
  const check = `SELECT ${quoteIdent(located.schema)}.bt_index_check(index => ?::int8::oid::regclass, heapallindexed => ?)`;
  const skipped: Array<{ name: string; reason: string }> = [];
  // A large index can take longer than the connection's statement_timeout; lock waits keep theirs.
  await q.exec('SET statement_timeout = 0');
  try {
    for (const index of indexes) {
      try {
        await q.get(check, [index.oid, heapAllIndexed]);
      } catch (error) {
        const pgCode = isPostgresStorageError(error) ? error.pgCode : undefined;
        if (pgCode === 'XX001' || pgCode === 'XX002') {
          findings.push({ kind: 'index_corrupt', name: index.name, message: `index ${index.name} is corrupt (amcheck): ${describeError(error)}; REINDEX it` });
        } else if (pgCode === '55P03' || pgCode === '57014' || pgCode === '42P01' || pgCode === '42704') {
          // Locked by DDL for longer than lock_timeout, or dropped since it was listed.
          skipped.push({ name: index.name, reason: describeError(error) });
        } else {
          findings.push({ kind: 'index_check_failed', name: index.name, message: `amcheck could not check index ${index.name}: ${describeError(error)}` });
        }
      }
    }
  } finally {
    await q.exec('RESET statement_timeout');
  }
  return { status: 'ran', indexesChecked: indexes.length - skipped.length, skipped };
}

async function checksumStatus(q: PostgresSession): Promise<{ enabled: boolean; failures: number | null; database: string }> {
  const row = await q.get<{ enabled: boolean; failures: number | null; database: string }>(
    `SELECT current_setting('data_checksums') = 'on' AS enabled,
            (SELECT checksum_failures FROM pg_stat_database WHERE datname = current_database()) AS failures,
            current_database() AS database`,
  );
  return row!;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
