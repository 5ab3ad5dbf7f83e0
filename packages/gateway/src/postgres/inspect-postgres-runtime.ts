import { checkSchemaFingerprint, describeSchemaDifference, assertSchemaCompatible, gatewayMigrations, isMigrationError } from '@cairn/migration';
import { inspectPostgresKeystore } from '@cairn/keystore';
import { checkPostgresHealth, checkPostgresIntegrity, redactUrl } from '@cairn/postgres';
import { DATABASE_FILE_MODE, HOME_DIR_MODE, checkFileModes } from '@cairn/sqlite';
import { lstatSync } from 'node:fs';
import type { RuntimePaths } from '@cairn/config';
import { planRuntimeHardening } from '../runtime/harden-home.js';
import { inspectHomeFiles } from '../runtime/inspect-home-files.js';
import type { DatabaseSchemaHealth, PostgresDatabaseHealth, RuntimeHealth } from '../runtime/inspect-runtime.js';
import type { PostgresBackend } from '../runtime/runtime-options.js';
import { openBackendDatabase, schemaExists, schemaLabel, scrub, type PostgresDataSource } from './postgres-target.js';

/**
 * `cairn doctor` on PostgreSQL, read-only (creates, migrates and locks nothing; amcheck runs
 * only where the extension is already installed): the connection (URL redacted), the server's
 * version and writability, each schema's status against this build and its fingerprint,
 * integrity findings over both schemas, the keystore's key status (`inspectPostgresKeystore`),
 * and the home's own files (its modes, keystore.key, backups/, temp files).
 */
export async function inspectPostgresRuntime(paths: RuntimePaths, backend: PostgresBackend): Promise<RuntimeHealth> {
  const exists = (path: string) => lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  const dirs = [paths.backupsDir, paths.artifactsDir, paths.archiveDir].filter(exists);
  const files = [
    ...checkFileModes([paths.home, ...dirs].map((path) => ({ path, expectedMode: HOME_DIR_MODE }))),
    ...(exists(paths.keystoreKey) ? checkFileModes([{ path: paths.keystoreKey, expectedMode: DATABASE_FILE_MODE }]) : []),
  ];
  const { changes, refusals } = planRuntimeHardening(paths);
  const gatewayLabel = schemaLabel(backend, 'gateway');
  const integrity: RuntimeHealth['integrity'] = {};
  const schema: RuntimeHealth['schema'] = {};
  const database: PostgresDatabaseHealth = { url: redactUrl(backend.url), source: backend.source, connection: { ok: false, code: 'connection_failed', message: 'not checked', latencyMs: 0, pool: undefined } };
  let probe: PostgresDataSource | undefined;
  try {
    probe = await openBackendDatabase(backend, { schema: 'pg_catalog', poolSize: 1, applicationName: 'cairn-doctor' });
    database.connection = await checkPostgresHealth(probe);
    const present = [];
    for (const name of [backend.schema, backend.keystoreSchema]) if (await schemaExists(probe, name)) present.push(name);
    if (present.length > 0) {
      const installed = ((await probe.query("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'amcheck'")) as unknown[]).length > 0;
      const result = await checkPostgresIntegrity(probe, { schemas: present, amcheck: installed });
      integrity[`PostgreSQL schemas ${present.join(', ')} at ${database.url}`] = result.ok ? { ok: true } : { ok: false, problems: result.problems };
    }
    schema[gatewayLabel] = present.includes(backend.schema) ? await inspectGatewaySchema(backend) : absent();
  } catch (error) {
    const message = scrub(error instanceof Error ? error.message : String(error), backend.url);
    if (database.connection.ok) schema[gatewayLabel] = { ...absent(), ok: false, status: 'unreadable', message };
    else database.connection = { ok: false, code: 'connection_failed', message, latencyMs: 0, pool: undefined };
  } finally {
    await probe?.destroy().catch(() => undefined);
  }
  const keystore = database.connection.ok ? await inspectPostgresKeystore({ url: backend.url, schema: backend.keystoreSchema, home: paths.home }) : undefined;
  if (keystore) {
    schema[schemaLabel(backend, 'keystore')] = {
      service: 'keystore',
      ok: ['current', 'pending', 'absent'].includes(keystore.status),
      status: keystore.status,
      latestVersion: keystore.latestVersion,
      differences: keystore.differences,
      ...(keystore.version !== undefined ? { version: keystore.version } : {}),
      ...(keystore.message !== undefined ? { message: scrub(keystore.message, backend.url) } : {}),
    };
  }
  const homeFiles = await inspectHomeFiles(paths);
  const ok =
    database.connection.ok &&
    database.connection.writable &&
    files.every((f) => f.status === 'ok') &&
    refusals.length === 0 &&
    homeFiles.ok &&
    keystore?.ok === true &&
    Object.values(integrity).every((r) => r.ok) &&
    Object.values(schema).every((s) => s.ok);
  return { home: paths.home, backend: 'postgres', database, keystore, files, changes, refusals, integrity, schema, homeFiles, ok };
}

function absent(): DatabaseSchemaHealth {
  const latestVersion = gatewayMigrations.migrations.length;
  return { service: gatewayMigrations.service, ok: true, status: 'absent', latestVersion, differences: [], message: 'not created yet: the first start (or `cairn migrate`) creates it' };
}

async function inspectGatewaySchema(backend: PostgresBackend): Promise<DatabaseSchemaHealth> {
  const latestVersion = gatewayMigrations.migrations.length;
  const base = { service: gatewayMigrations.service, latestVersion, differences: [] as string[] };
  const reader = await openBackendDatabase(backend, { schema: backend.schema, poolSize: 1, applicationName: 'cairn-doctor' });
  try {
    try {
      await assertSchemaCompatible(reader, gatewayMigrations);
    } catch (error) {
      if (!isMigrationError(error)) throw error;
      const version = Number(error.details?.['databaseVersion'] ?? NaN);
      return { ...base, ok: false, status: error.code === 'schema_too_new' ? 'too_new' : 'mismatch', ...(Number.isFinite(version) ? { version } : {}), message: error.message };
    }
    const report = await checkSchemaFingerprint(reader, gatewayMigrations);
    const status = !report.ok ? 'mismatch' : report.version === 0 ? 'absent' : report.version < latestVersion ? 'pending' : 'current';
    return { ...base, ok: report.ok, status, version: report.version, differences: report.differences.map(describeSchemaDifference) };
  } finally {
    await reader.destroy();
  }
}
