import { gatewayMigrations, keystoreMigrations, type MigrationSet } from '@cairn/migration';
import { CairnError } from '@cairn/protocol';
import { checkPostgresHealth, openPostgresDatabase, redactUrl, type OpenPostgresOptions } from '@cairn/postgres';
import type { PostgresBackend } from '../runtime/runtime-options.js';

/** TypeORM's DataSource, named through the postgres package (the gateway does not import typeorm). */
export type PostgresDataSource = Awaited<ReturnType<typeof openPostgresDatabase>>;

/** How a schema is named in messages and reports: `PostgreSQL schema public at postgres://cairn:***@db/cairn`. */
export function schemaLabel(backend: PostgresBackend, which: 'gateway' | 'keystore'): string {
  return `PostgreSQL schema ${which === 'gateway' ? backend.schema : backend.keystoreSchema} at ${redactUrl(backend.url)}`;
}

/** The schemas of a backend with the migration set each one holds, the gateway's first. */
export function backendSchemas(backend: PostgresBackend): Array<{ which: 'gateway' | 'keystore'; schema: string; set: MigrationSet }> {
  return [
    { which: 'gateway', schema: backend.schema, set: gatewayMigrations },
    { which: 'keystore', schema: backend.keystoreSchema, set: keystoreMigrations },
  ];
}

/**
 * A pool on one schema of the backend's server, its failure to open given the redacted URL and
 * the reason (`@cairn/postgres` never puts the password in a message; neither does this).
 */
export async function openBackendDatabase(
  backend: PostgresBackend,
  options: Omit<OpenPostgresOptions, 'url'> & { schema: string },
): Promise<PostgresDataSource> {
  try {
    return await openPostgresDatabase({ ...options, url: backend.url });
  } catch (error) {
    throw explainPostgresFailure(error, backend, `cannot open schema ${options.schema}`);
  }
}

/** Whether a schema exists, read on any connection of the server. */
export async function schemaExists(ds: PostgresDataSource, schema: string): Promise<boolean> {
  return ((await ds.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema])) as unknown[]).length > 0;
}

/** Refuses a server that does not answer, or answers read-only (a standby): the gateway writes at every start. */
export async function assertServerWritable(ds: PostgresDataSource, backend: PostgresBackend): Promise<void> {
  const health = await checkPostgresHealth(ds);
  if (!health.ok) {
    throw new CairnError('storage_failed', `PostgreSQL at ${redactUrl(backend.url)} (${backend.source}) does not answer: ${health.code}: ${health.message}`, {
      details: { database: redactUrl(backend.url), reason: health.code },
    });
  }
  if (!health.writable) {
    throw new CairnError('storage_failed', `PostgreSQL at ${redactUrl(backend.url)} is read-only${health.inRecovery ? ' (a hot standby)' : ''}; point ${backend.source} at the primary`, {
      details: { database: redactUrl(backend.url), reason: 'read_only' },
    });
  }
}

/**
 * A failure of `@cairn/postgres` (or of crud's edge over it) at start, with the server (its URL
 * redacted) and where the URL came from in the message: "cannot reach" must say which server
 * and which setting to fix.
 */
export function explainPostgresFailure(error: unknown, backend: PostgresBackend, doing: string): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return error;
  if (code === 'schema_too_new' || code === 'integrity_failed' || code === 'master_key_invalid' || code === 'decryption_failed') return error;
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause instanceof Error && !message.includes(cause.message) ? `${message} (${cause.message})` : message;
  const where = redactUrl(backend.url);
  // pg's messages never carry the password, but a URL quoted whole by some layer might.
  const text = scrub(`PostgreSQL at ${where} (from ${backend.source}): ${doing}: ${reason}`, backend.url);
  return new CairnError(code === 'busy' ? 'busy' : 'storage_failed', text, { cause: error, details: { database: where, reason: code } });
}

/** Removes the URL's password from a text, however it was quoted. */
export function scrub(text: string, url: string): string {
  const match = /^[a-z]+:\/\/[^:@/?#]*:([^@/?#]*)@/i.exec(url.trim());
  const secrets = [match?.[1], new URL(url).searchParams.get('password')].filter((s): s is string => typeof s === 'string' && s !== '');
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, safeDecode(secret)])) out = out.split(form).join('***');
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `details.reason` of the refusal below; the `cairn` command exits 2 on it. */
export const NOT_ON_POSTGRES = 'not_on_postgres';

/**
 * `cairn backup` / `cairn restore` copy SQLite files; a PostgreSQL server has its own tools,
 * which also see every gateway's writes consistently: refused with a pointer to them.
 */
export function refuseOnPostgres(backend: PostgresBackend, what: 'backup' | 'restore'): never {
  const tool = what === 'backup' ? 'pg_dump (or pg_basebackup)' : 'pg_restore / psql (or point-in-time recovery)';
  throw new CairnError(
    'invalid_params',
    `cairn ${what} copies SQLite files; this gateway keeps its state on PostgreSQL at ${redactUrl(backend.url)} (schemas ${backend.schema} and ${backend.keystoreSchema}): ` +
      `use ${tool}, or your server's own backups. The home's keystore.key (unless CAIRN_MASTER_KEY) and archive/ need a copy of their own`,
    { details: { reason: NOT_ON_POSTGRES, database: redactUrl(backend.url) } },
  );
}
