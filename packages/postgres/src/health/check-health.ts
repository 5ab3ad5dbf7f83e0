import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { describeError, isPostgresStorageError, wrapPostgresError, type PostgresErrorCode } from '../errors.js';
import { withPostgresSession } from '../connection/session.js';
import { poolOf } from '../open/pool.js';

export interface PostgresHealthOptions {
  /** Longest the status query may take (`SET LOCAL statement_timeout`). Default 5000. */
  timeoutMs?: number;
}

export interface PostgresPoolStats {
  /** Connections open (idle or checked out). */
  total: number;
  idle: number;
  /** Callers queued for a connection. */
  waiting: number;
}

export type PostgresHealth =
  | {
      ok: true;
      serverVersion: string;
      serverVersionNum: number;
      /** Round trip of the status query, milliseconds. */
      latencyMs: number;
      /** A hot standby (`pg_is_in_recovery()`): answers reads, refuses writes. */
      inRecovery: boolean;
      /** Writes would be accepted: not in recovery and `default_transaction_read_only` off. */
      writable: boolean;
      database: string;
      schema: string | null;
      user: string;
      pool: PostgresPoolStats;
    }
  | { ok: false; code: PostgresErrorCode; message: string; latencyMs: number; pool: PostgresPoolStats | undefined };

interface StatusRow {
  serverVersion: string;
  serverVersionNum: number;
  inRecovery: boolean;
  readOnly: boolean;
  database: string;
  schema: string | null;
  user: string;
}

/**
 * Can the gateway use this database right now? Takes a pooled connection, asks the server a
 * handful of facts in one read-only statement under a short timeout, and answers as a value:
 * `ok: false` with the error's code when anything failed, never an exception (except for a
 * DataSource that is not PostgreSQL at all).
 */
export async function checkPostgresHealth(dataSource: DataSource, options: PostgresHealthOptions = {}): Promise<PostgresHealth> {
  const timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? 5000));
  const started = performance.now();
  let pool: PostgresPoolStats | undefined;
  try {
    pool = poolStats(dataSource);
    const { row, latencyMs } = await withPostgresSession(dataSource, async (q) => {
      await q.exec(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}`);
      const before = performance.now();
      const status = await q.get<StatusRow>(`
        SELECT current_setting('server_version') AS "serverVersion",
               current_setting('server_version_num')::int AS "serverVersionNum",
               pg_is_in_recovery() AS "inRecovery",
               current_setting('default_transaction_read_only')::bool AS "readOnly",
               current_database() AS database,
               current_schema() AS schema,
               current_user AS "user"`);
      const elapsed = performance.now() - before;
      await q.exec('COMMIT');
      return { row: status!, latencyMs: elapsed };
    });
    const { readOnly, ...facts } = row;
    return { ok: true, ...facts, latencyMs: round(latencyMs), writable: !row.inRecovery && !readOnly, pool: poolStats(dataSource) };
  } catch (error) {
    if (isPostgresStorageError(error) && error.code === 'invalid_options') throw error;
    const wrapped = wrapPostgresError(error, 'health check failed');
    const code = isPostgresStorageError(wrapped) ? wrapped.code : 'storage_failed';
    return { ok: false, code, message: describeError(wrapped), latencyMs: round(performance.now() - started), pool };
  }
}

function poolStats(dataSource: DataSource): PostgresPoolStats {
  const pool = poolOf(dataSource);
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
