import type { DataSource } from 'typeorm';
import { PostgresStorageError } from '../errors.js';

/** The oldest server Cairn accepts: the version it is tested on (tooling/postgres runs 15); older ones are refused, not half-supported. */
export const MIN_SERVER_VERSION_NUM = 150000;

export interface PostgresSessionReport {
  serverVersion: string;
  serverVersionNum: number;
  database: string;
  user: string;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  applicationName: string;
  searchPath: string;
  /** The schema new tables go to; null when no schema of the search_path exists. */
  currentSchema: string | null;
}

export interface ExpectedSettings {
  schema: string;
  applicationName: string;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/** The session settings of one pooled connection, as the server reports them (milliseconds from pg_settings, not `SHOW`'s `30s`). */
export async function readSessionSettings(dataSource: DataSource): Promise<PostgresSessionReport> {
  const rows = (await dataSource.query(`
    SELECT current_setting('server_version') AS "serverVersion",
           current_setting('server_version_num')::int AS "serverVersionNum",
           current_database() AS database,
           current_user AS "user",
           (SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout') AS "statementTimeoutMs",
           (SELECT setting::bigint FROM pg_settings WHERE name = 'lock_timeout') AS "lockTimeoutMs",
           (SELECT setting::bigint FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout') AS "idleInTransactionTimeoutMs",
           current_setting('application_name') AS "applicationName",
           current_setting('search_path') AS "searchPath",
           current_schema() AS "currentSchema"`)) as PostgresSessionReport[];
  return rows[0]!;
}

/** Refuses a server older than 15 (`unsupported_server`) and any setting that did not read back as set (`settings_mismatch`). */
export function assertSessionSettings(report: PostgresSessionReport, expected: ExpectedSettings, where: string): void {
  if (report.serverVersionNum < MIN_SERVER_VERSION_NUM) {
    throw new PostgresStorageError('unsupported_server', `PostgreSQL ${report.serverVersion} at ${where}: Cairn needs 15 or later`, {
      details: { serverVersion: report.serverVersion, serverVersionNum: report.serverVersionNum },
    });
  }
  const mismatches: string[] = [];
  const check = (name: string, actual: unknown, wanted: unknown) => {
    if (actual !== wanted) mismatches.push(`${name}=${JSON.stringify(actual)} (expected ${JSON.stringify(wanted)})`);
  };
  check('statement_timeout', report.statementTimeoutMs, expected.statementTimeoutMs);
  check('lock_timeout', report.lockTimeoutMs, expected.lockTimeoutMs);
  check('idle_in_transaction_session_timeout', report.idleInTransactionTimeoutMs, expected.idleInTransactionTimeoutMs);
  check('application_name', report.applicationName, expected.applicationName);
  if (report.currentSchema !== expected.schema) {
    mismatches.push(
      report.currentSchema === null
        ? `schema ${expected.schema} does not exist (search_path=${report.searchPath}; pass createSchema: true to create it)`
        : `current_schema=${report.currentSchema} (expected ${expected.schema}, search_path=${report.searchPath})`,
    );
  }
  if (mismatches.length > 0) {
    throw new PostgresStorageError('settings_mismatch', `session settings not as required at ${where}: ${mismatches.join(', ')}`, {
      details: { mismatches },
    });
  }
}
