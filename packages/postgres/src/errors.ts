/** Every code a `PostgresStorageError` can carry; README.md documents each (a test checks). */
export const POSTGRES_ERROR_CODES = [
  'invalid_options',
  'connection_failed',
  'unsupported_server',
  'settings_mismatch',
  'closed',
  'busy',
  'serialization_failure',
  'deadlock',
  'timeout',
  'lock_timeout',
  'commit_unknown',
  'disk_full',
  'constraint',
  'read_only',
  'invalid_statement',
  'unsafe_integer',
  'storage_failed',
] as const;

export type PostgresErrorCode = (typeof POSTGRES_ERROR_CODES)[number];

/**
 * The one error type that leaves `@cairn/postgres`. Callers recognise it by `code`, never by
 * `instanceof` (two copies of this module in one process would break that). `pgCode` is the
 * SQLSTATE when PostgreSQL answered with one.
 */
export class PostgresStorageError extends Error {
  override readonly name = 'PostgresStorageError';
  readonly code: PostgresErrorCode;
  readonly pgCode: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: PostgresErrorCode,
    message: string,
    options: { pgCode?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.pgCode = options.pgCode;
    this.details = options.details;
  }
}

/** True for a `PostgresStorageError` from any copy of this module. */
export function isPostgresStorageError(error: unknown): error is PostgresStorageError {
  return error instanceof Error && error.name === 'PostgresStorageError' && typeof (error as { code?: unknown }).code === 'string';
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Five characters of digits and capitals; no SQLSTATE class starts with E, Node's `EPIPE` does. */
function isSqlState(code: string): boolean {
  return SQLSTATE.test(code) && !code.startsWith('E');
}

/**
 * The SQLSTATE of an error thrown by pg directly, or wrapped by TypeORM (`driverError`) or by
 * us (`pgCode`, `cause`). Node's own socket errors (`ECONNREFUSED`) are not SQLSTATEs.
 */
export function pgCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (isPostgresStorageError(e) && e.pgCode) return e.pgCode;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && isSqlState(code)) return code;
    e = (e as { driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Messages pg and Node give when a socket could not be opened or died under a query. */
const CONNECTION_MESSAGE =
  /Connection terminated|connection error|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|not queryable|socket hang up/i;
const NODE_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** True when the error says the connection is gone (or never came up), not that a statement failed. */
export function isConnectionError(error: unknown): boolean {
  const pgCode = pgCodeOf(error);
  if (pgCode !== undefined) return codeForSqlState(pgCode) === 'connection_failed';
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (isPostgresStorageError(e)) return e.code === 'connection_failed';
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NODE_CONNECTION_CODES.has(code)) return true;
    if (e instanceof Error && CONNECTION_MESSAGE.test(describeError(e))) return true;
    e = (e as { driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The code for a SQLSTATE: the class (first two characters) decides, a few states are singled out. */
export function codeForSqlState(pgCode: string): PostgresErrorCode {
  switch (pgCode) {
    case '40001':
      return 'serialization_failure';
    case '40P01':
      return 'deadlock';
    case '57014': // query_canceled: statement_timeout (or pg_cancel_backend)
    case '25P03': // idle_in_transaction_session_timeout
      return 'timeout';
    case '55P03': // lock_not_available: lock_timeout, NOWAIT
      return 'lock_timeout';
    case '53100':
      return 'disk_full';
    case '53300': // too_many_connections
    case '55006': // object_in_use
      return 'busy';
    case '25006': // read_only_sql_transaction (a READ ONLY transaction, or a hot standby)
      return 'read_only';
    case '57P01': // admin_shutdown (pg_terminate_backend, fast shutdown)
    case '57P02': // crash_shutdown
    case '57P03': // cannot_connect_now (starting up, shutting down)
    case '3D000': // invalid_catalog_name: the database does not exist
      return 'connection_failed';
  }
  switch (pgCode.slice(0, 2)) {
    case '23':
      return 'constraint';
    case '08': // connection_exception
    case '28': // invalid_authorization_specification
      return 'connection_failed';
    case '42': // syntax_error_or_access_rule_violation
    case '22': // data_exception
      return 'invalid_statement';
    default:
      return 'storage_failed';
  }
}

/**
 * Wraps an error that came out of PostgreSQL, pg or TypeORM around them at the package edge.
 * A `PostgresStorageError` and any error without a SQLSTATE or connection failure in it (a
 * caller's own exception) is returned unchanged, so it reaches the caller as thrown.
 */
export function wrapPostgresError(error: unknown, message: string): unknown {
  if (isPostgresStorageError(error)) return error;
  const pgCode = pgCodeOf(error);
  if (pgCode === undefined) {
    if (isPoolWaitTimeout(error)) {
      return new PostgresStorageError('busy', `${message}: every pooled connection stayed busy (${describeError(error)})`, { cause: error });
    }
    if (isPoolEnded(error)) return new PostgresStorageError('closed', `${message}: the DataSource was destroyed`, { cause: error });
    if (!isConnectionError(error)) return error;
    return new PostgresStorageError('connection_failed', `${message}: ${describeError(error)}`, { cause: error });
  }
  return new PostgresStorageError(codeForSqlState(pgCode), `${message}: ${describeError(error)} (SQLSTATE ${pgCode})`, {
    pgCode,
    cause: error,
    details: fieldsOf(error),
  });
}

/** pg-pool's answer when no connection came free within `connectionTimeoutMillis`. */
function isPoolWaitTimeout(error: unknown): boolean {
  return error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message);
}

function isPoolEnded(error: unknown): boolean {
  return error instanceof Error && /Cannot use a pool after calling end|Driver not Connected/i.test(error.message);
}

/** The structured fields PostgreSQL sends with an error (pg's DatabaseError), for `details`. */
function fieldsOf(error: unknown): Record<string, unknown> {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4 && typeof (e as { severity?: unknown }).severity !== 'string'; depth++) {
    e = (e as { driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  const source = (e ?? {}) as Record<string, unknown>;
  const details: Record<string, unknown> = {};
  for (const key of ['severity', 'detail', 'hint', 'schema', 'table', 'column', 'constraint', 'routine']) {
    if (source[key] !== undefined) details[key] = source[key];
  }
  return details;
}

export function describeError(error: unknown): string {
  // Node reports a refused connection to a name with several addresses (localhost: ::1 and
  // 127.0.0.1) as an AggregateError whose own message is empty.
  if (error instanceof AggregateError && error.errors.length > 0 && !error.message) {
    return error.errors.map(describeError).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}
