import { assertSchemaCompatible, checkSchemaFingerprint, describeSchemaDifference, isMigrationError, keystoreMigrations } from '@cairn/migration';
import { checkPostgresHealth, checkPostgresIntegrity, openPostgresDatabase, type PostgresHealth } from '@cairn/postgres';
import type { DataSource } from 'typeorm';
import { MasterKey } from '../crypto/master-key.js';
import { filesOk, keyFileHealth, type KeystoreFileHealth } from '../health/keystore-health.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import { postgresKeySource } from './key-source.js';
import { DEFAULT_KEYSTORE_SCHEMA, assertKeystoreSchema } from './open-postgres-keystore.js';

export interface InspectPostgresKeystoreOptions {
  /** Default `CAIRN_DATABASE_URL`. */
  url?: string;
  /** Instead of `url`: a DataSource on the keystore schema (left open). */
  dataSource?: DataSource;
  schema?: string;
  home?: string;
  keySource?: MasterKeySource;
}

/**
 * `cairn doctor` for a PostgreSQL keystore, read-only (creates, migrates and locks nothing;
 * never reads a secret): what it reports for keystore.db, in PostgreSQL's terms.
 */
export interface PostgresKeystoreInspection {
  /** False for anything that would make the keystore's open fail, or a finding an operator must act on. */
  ok: boolean;
  schema: string;
  /** The server: reachable, version, writable (not a standby), latency, pool. */
  connection: PostgresHealth;
  /**
   * `absent`: no such schema yet (the first open creates it; not a problem); `pending`: older
   * than this build (open migrates it); `too_new`, `mismatch` (objects differ from what the
   * migrations made, see `differences`), `unreadable`: open refuses.
   */
  status: 'absent' | 'current' | 'pending' | 'too_new' | 'mismatch' | 'unreadable';
  version?: number;
  latestVersion: number;
  differences: string[];
  message?: string;
  /**
   * `checkPostgresIntegrity` over the schema (invalid or corrupt indexes, checksum failures);
   * absent when the schema is. amcheck runs only where the extension is already installed
   * (`amcheck: 'off'` otherwise): never created in the keystore schema, whose fingerprint it would change.
   */
  integrity?: { ok: boolean; problems: string[]; amcheck: 'ran' | 'unavailable' | 'off' };
  /** The master key id `keystore_meta` names (read without the key); null before the first open. */
  keyId: string | null;
  secrets: number;
  key: {
    kind: MasterKeySource['kind'] | null;
    description: string | null;
    /** The source's current key id, and a staged one (a rotation in flight). */
    currentKeyId: string | null;
    stagedKeyId: string | null;
    /** Whether the source holds the key `keyId` names (open would accept it); null when there is no key record yet. */
    matches: boolean | null;
    /** Why the source could not be read (`CAIRN_MASTER_KEY` malformed, no key configured). */
    problem?: string;
  };
  /** Key file modes of a file source; none for `CAIRN_MASTER_KEY`. */
  keyFiles: KeystoreFileHealth[];
}

/** Reads a keystore schema as the keystore's open would find it, and says what open would refuse. */
export async function inspectPostgresKeystore(options: InspectPostgresKeystoreOptions = {}): Promise<PostgresKeystoreInspection> {
  const schema = options.schema ?? (options.dataSource?.options as { schema?: string } | undefined)?.schema ?? DEFAULT_KEYSTORE_SCHEMA;
  assertKeystoreSchema(schema);
  const latestVersion = keystoreMigrations.migrations.length;
  const key = inspectKeySource(options);
  const keyFiles = key.source ? keyFileHealth(key.source) : [];
  const base = { schema, latestVersion, differences: [] as string[], keyId: null, secrets: 0, keyFiles };
  const opened: DataSource[] = [];
  let connection: PostgresHealth | undefined;
  try {
    // pg_catalog always exists: the connection is checked even where the keystore schema is not.
    const probe = options.dataSource ?? (await openPostgresDatabase({ url: options.url, schema: 'pg_catalog', poolSize: 1, applicationName: 'cairn-doctor' }));
    if (probe !== options.dataSource) opened.push(probe);
    connection = await checkPostgresHealth(probe);
    const exists = connection.ok && (await schemaExists(probe, schema));
    if (!exists) {
      const ok = connection.ok && keyFilesOk(keyFiles, false) && key.report.problem === undefined;
      return { ...base, ok, connection, status: 'absent', key: { ...key.report, matches: null } };
    }
    const ds = options.dataSource ?? (await openPostgresDatabase({ url: options.url, schema, poolSize: 2, applicationName: 'cairn-doctor' }));
    if (ds !== options.dataSource) opened.push(ds);
    const state = await inspectSchema(ds);
    // amcheck only where the extension already is: the check would otherwise CREATE EXTENSION in
    // the first schema of the search path, this one, and the next open would refuse the extra functions.
    const integrityResult = await checkPostgresIntegrity(ds, { schemas: [schema], amcheck: await amcheckInstalled(ds) });
    const integrity = { ok: integrityResult.ok, problems: integrityResult.ok ? [] : integrityResult.problems, amcheck: integrityResult.checks.amcheck.status };
    const meta = state.version !== undefined && state.version >= 1 ? await readKeyRecord(ds) : { keyId: null, secrets: 0 };
    const matches = meta.keyId === null ? null : key.report.currentKeyId === meta.keyId || key.report.stagedKeyId === meta.keyId;
    const ok =
      connection.ok &&
      connection.writable &&
      integrity.ok &&
      keyFilesOk(keyFiles, meta.keyId !== null) &&
      ['current', 'pending'].includes(state.status) &&
      matches !== false &&
      key.report.problem === undefined;
    return { ...base, ...state, ...meta, ok, connection, integrity, key: { ...key.report, matches } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    connection ??= { ok: false, code: 'connection_failed', message, latencyMs: 0, pool: undefined };
    return { ...base, ok: false, connection, status: 'unreadable', message, key: { ...key.report, matches: null } };
  } finally {
    for (const ds of opened.reverse()) await ds.destroy().catch(() => undefined);
  }
}

type SchemaState = Pick<PostgresKeystoreInspection, 'status' | 'version' | 'differences' | 'message'>;

async function inspectSchema(ds: DataSource): Promise<SchemaState> {
  try {
    await assertSchemaCompatible(ds, keystoreMigrations);
  } catch (error) {
    if (!isMigrationError(error)) return { status: 'unreadable', differences: [], message: (error as Error).message };
    const version = Number(error.details?.['databaseVersion'] ?? NaN);
    return {
      status: error.code === 'schema_too_new' ? 'too_new' : 'mismatch',
      ...(Number.isFinite(version) ? { version } : {}),
      differences: [],
      message: error.message,
    };
  }
  const report = await checkSchemaFingerprint(ds, keystoreMigrations);
  const status = !report.ok ? 'mismatch' : report.version < keystoreMigrations.migrations.length ? 'pending' : 'current';
  return { status, version: report.version, differences: report.differences.map(describeSchemaDifference) };
}

/** Modes as open wants them; a missing keystore.key is fine only while no key record exists (the first open creates it). */
function keyFilesOk(files: readonly KeystoreFileHealth[], keyRecorded: boolean): boolean {
  return filesOk(keyRecorded ? files : files.map((f) => (f.status === 'missing' ? { ...f, required: false } : f)));
}

async function amcheckInstalled(ds: DataSource): Promise<boolean> {
  return ((await ds.query("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'amcheck'")) as unknown[]).length > 0;
}

async function schemaExists(ds: DataSource, schema: string): Promise<boolean> {
  return ((await ds.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema])) as unknown[]).length > 0;
}

async function readKeyRecord(ds: DataSource): Promise<{ keyId: string | null; secrets: number }> {
  const [meta] = (await ds.query('SELECT key_id FROM keystore_meta WHERE singleton = 1')) as Array<{ key_id: string }>;
  const [count] = (await ds.query('SELECT count(*) AS n FROM keystore_secret')) as Array<{ n: number }>;
  return { keyId: meta?.key_id ?? null, secrets: Number(count?.n ?? 0) };
}

function inspectKeySource(options: InspectPostgresKeystoreOptions): { source: MasterKeySource | undefined; report: Omit<PostgresKeystoreInspection['key'], 'matches'> } {
  let source: MasterKeySource;
  try {
    source = options.keySource ?? postgresKeySource(options.home);
  } catch (error) {
    return { source: undefined, report: { kind: null, description: null, currentKeyId: null, stagedKeyId: null, problem: (error as Error).message } };
  }
  const described = { kind: source.kind, description: source.description };
  try {
    const { current, next } = source.read();
    return { source, report: { ...described, currentKeyId: current?.id ?? null, stagedKeyId: next instanceof MasterKey ? next.id : null } };
  } catch (error) {
    return { source, report: { ...described, currentKeyId: null, stagedKeyId: null, problem: (error as Error).message } };
  }
}
