import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { databaseUrlFromEnv } from '../env.js';
import { PostgresStorageError, describeError, isPostgresStorageError, pgCodeOf, wrapPostgresError } from '../errors.js';
import { DEFAULT_MAX_PREPARED_STATEMENTS } from '../statements/statements.js';
import { parseDatabaseUrl } from './connection-url.js';
import { cairnTypes } from './int8.js';
import { registerDataSource } from './pool.js';
import { assertSessionSettings, readSessionSettings, type ExpectedSettings } from './session-settings.js';

export interface OpenPostgresOptions {
  /** `postgres://user:password@host:port/database?sslmode=...`; default `databaseUrlFromEnv()` (`CAIRN_DATABASE_URL`). */
  url?: string;
  entities?: DataSourceOptions['entities'];
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** `statement_timeout` of every connection. Default 30000; 0 disables (not advised). */
  statementTimeoutMs?: number;
  /** `lock_timeout`: longest wait for a row or table lock. Default 10000. */
  lockTimeoutMs?: number;
  /** `idle_in_transaction_session_timeout`: a session left idle inside a transaction is ended. Default 60000. */
  idleInTransactionTimeoutMs?: number;
  /** `application_name`, shown in `pg_stat_activity`. Default `cairn`. */
  applicationName?: string;
  /** The schema every connection's `search_path` names (alone). Default `public`. */
  schema?: string;
  /** Create `schema` if it is missing (needs the CREATE privilege on the database). Default false. */
  createSchema?: boolean;
  /** Longest wait for a new connection, and for a free pooled one. Default 10000. */
  connectTimeoutMs?: number;
  /** Named prepared statements kept per connection by the fast path (least recently used dropped). Default 256. */
  maxPreparedStatements?: number;
  logging?: boolean;
  /** Told about an error on an idle pooled connection (the server went away); the pool drops that connection itself. */
  onPoolError?: (error: PostgresStorageError) => void;
}

const MAX_MS = 2_147_483_647;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const APPLICATION_NAME = /^[\x20-\x7e]{1,63}$/;

/**
 * Opens a PostgreSQL database as a TypeORM DataSource on pg and asserts what the rest of
 * Cairn relies on: a server of version 15 or later, and the session settings (timeouts,
 * application name, search_path) read back as set. The settings travel in every connection's
 * startup packet, so each pooled connection, whenever the pool opens it, starts with them;
 * no `SET` races the first query. int8 comes back as a number (see int8.ts).
 */
export async function openPostgresDatabase(options: OpenPostgresOptions = {}): Promise<DataSource> {
  const url = options.url ?? databaseUrlFromEnv();
  if (!url) {
    throw new PostgresStorageError('invalid_options', 'no database URL: pass `url` or set CAIRN_DATABASE_URL');
  }
  const expected = expectedSettings(options);
  const poolSize = positiveInteger('poolSize', options.poolSize ?? 10);
  const connectTimeoutMs = milliseconds('connectTimeoutMs', options.connectTimeoutMs ?? 10_000);
  const maxPrepared = positiveInteger('maxPreparedStatements', options.maxPreparedStatements ?? DEFAULT_MAX_PREPARED_STATEMENTS);
  const parsed = parseDatabaseUrl(url);
  const { password } = parsed;
  const urlOptions = typeof parsed.config.options === 'string' ? `${parsed.config.options} ` : '';

  const dataSource = new DataSource({
    type: 'postgres',
    driver: pg,
    database: parsed.config.database ?? undefined,
    schema: expected.schema,
    applicationName: expected.applicationName,
    poolSize,
    connectTimeoutMS: connectTimeoutMs,
    entities: options.entities ?? [],
    logging: options.logging ?? false,
    extra: {
      ...parsed.config,
      // A function, not the string: pg calls it per connection, and the DataSource's options
      // (which a debugging log might print) never hold the password itself.
      password: password === undefined ? undefined : () => password,
      application_name: expected.applicationName,
      statement_timeout: expected.statementTimeoutMs,
      lock_timeout: expected.lockTimeoutMs,
      idle_in_transaction_session_timeout: expected.idleInTransactionTimeoutMs,
      options: `${urlOptions}-c search_path="${expected.schema}"`,
      types: cairnTypes,
      keepAlive: true,
    },
    poolErrorHandler: (error: unknown) => {
      options.onPoolError?.(connectionFailure(error, 'pooled connection failed', parsed.redact, parsed.redacted));
    },
  });

  try {
    await dataSource.initialize();
  } catch (cause) {
    throw connectionFailure(cause, 'cannot connect', parsed.redact, parsed.redacted);
  }
  try {
    if (options.createSchema && expected.schema !== 'public') await createSchema(dataSource, expected.schema);
    assertSessionSettings(await readSessionSettings(dataSource), expected, parsed.redacted);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    if (isPostgresStorageError(error)) throw error;
    throw connectionFailure(error, 'cannot check the session settings', parsed.redact, parsed.redacted);
  }
  registerDataSource(dataSource, { maxPrepared, redactedUrl: parsed.redacted });
  return dataSource;
}

/**
 * `CREATE SCHEMA IF NOT EXISTS` is not atomic against itself: two gateways starting at once
 * can both find it missing and one fails on the catalog's unique index (23505) or with
 * duplicate_schema (42P06). Either way the schema now exists, which the assertion then checks.
 */
async function createSchema(dataSource: DataSource, schema: string): Promise<void> {
  try {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    const code = pgCodeOf(error);
    if (code !== '23505' && code !== '42P06') throw wrapPostgresError(error, `cannot create schema ${schema}`);
  }
}

function expectedSettings(options: OpenPostgresOptions): ExpectedSettings {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new PostgresStorageError('invalid_options', `schema must be an identifier of letters, digits and _ (at most 63), got ${JSON.stringify(schema)}`);
  }
  const applicationName = options.applicationName ?? 'cairn';
  if (!APPLICATION_NAME.test(applicationName)) {
    // The server truncates to 63 bytes and replaces non-ASCII with '?', which would never read back as set.
    throw new PostgresStorageError('invalid_options', 'applicationName must be 1-63 printable ASCII characters');
  }
  return {
    schema,
    applicationName,
    statementTimeoutMs: milliseconds('statementTimeoutMs', options.statementTimeoutMs ?? 30_000),
    lockTimeoutMs: milliseconds('lockTimeoutMs', options.lockTimeoutMs ?? 10_000),
    idleInTransactionTimeoutMs: milliseconds('idleInTransactionTimeoutMs', options.idleInTransactionTimeoutMs ?? 60_000),
  };
}

function milliseconds(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_MS) {
    throw new PostgresStorageError('invalid_options', `${name} must be an integer number of milliseconds from 0 to ${MAX_MS}, got ${value}`);
  }
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new PostgresStorageError('invalid_options', `${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * A failure to reach or log in to the server, with the password removed from the message and
 * from the error kept as `cause` (Node's inspector prints a cause chain in full).
 */
function connectionFailure(cause: unknown, context: string, redact: (text: string) => string, redactedUrl: string): PostgresStorageError {
  const wrapped = wrapPostgresError(cause, context);
  const code = isPostgresStorageError(wrapped) && wrapped.code !== 'storage_failed' ? wrapped.code : 'connection_failed';
  const pgCode = isPostgresStorageError(wrapped) ? wrapped.pgCode : undefined;
  return new PostgresStorageError(code, redact(`${context} to ${redactedUrl}: ${describeError(cause)}`), {
    ...(pgCode ? { pgCode } : {}),
    cause: sanitize(cause, redact),
    details: { url: redactedUrl },
  });
}

function sanitize(error: unknown, redact: (text: string) => string): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redact(error) : error;
  const own = Object.getOwnPropertyNames(error).map((key) => {
    const value = (error as unknown as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : '';
  });
  const text = [error.message, error.stack ?? '', ...own].join('\n');
  if (redact(text) === text) return error;
  const clean = new Error(redact(error.message));
  clean.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(clean, { code });
  return clean;
}
