import type pg from 'pg';
import { PostgresStorageError, wrapPostgresError } from '../errors.js';
import { translatePlaceholders } from './placeholders.js';

export interface RunResult {
  /** Rows the statement inserted, updated or deleted (pg's `rowCount`). */
  changes: number;
}

/**
 * Statements on one connection, written with `?` placeholders (translated to `$1..$n` once
 * per text) and run as named prepared statements, so the server parses and plans a hot
 * statement once per connection. This is the hot path: TypeORM's manager costs 2-10x on
 * small statements. Errors are `PostgresStorageError`s.
 */
export interface PostgresStatements {
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * `all` with each row as an array of its column values in SELECT order (pg's `rowMode:
   * 'array'`): no object per row, for scans of millions of rows. Same parsing (int8 as numbers).
   */
  values<T extends unknown[] = unknown[]>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of one or more statements without parameters (DDL, SET), in the simple query protocol. */
  exec(sql: string): Promise<void>;
}

export const DEFAULT_MAX_PREPARED_STATEMENTS = 256;

/** pg's record of the statements parsed on a connection (internal to pg 8, checked before use). */
interface PgConnectionInternals {
  parsedStatements?: Record<string, string>;
}

/**
 * Names prepared on one connection, least recently used first. It may grow past the bound
 * inside a transaction (a DEALLOCATE in an aborted transaction would fail) and is trimmed
 * back when the connection goes back to the pool.
 */
interface PreparedOnConnection {
  names: Map<string, true>;
  max: number;
}

const prepared = new WeakMap<pg.ClientBase, PreparedOnConnection>();

function parsedStatementsOf(client: pg.ClientBase): Record<string, string> | undefined {
  const parsed = (client as unknown as { connection?: PgConnectionInternals }).connection?.parsedStatements;
  return parsed && typeof parsed === 'object' ? parsed : undefined;
}

export function createStatements(client: pg.ClientBase, maxPrepared = DEFAULT_MAX_PREPARED_STATEMENTS): PostgresStatements {
  let state = prepared.get(client);
  if (!state) {
    state = { names: new Map(), max: maxPrepared };
    prepared.set(client, state);
  }
  const names = state.names;
  // Without pg's record of parsed statements a name cannot be dropped again; then only the
  // first `max` texts get one and the rest run unnamed, which keeps the server's memory bounded.
  const canEvict = parsedStatementsOf(client) !== undefined;

  const query = async (sql: string, params: readonly unknown[] | undefined, rowMode?: 'array') => {
    const values = params ?? [];
    const translated = translatePlaceholders(sql);
    if (values.length !== translated.parameters) {
      throw new PostgresStorageError(
        'invalid_statement',
        `statement expects ${translated.parameters} parameter(s), got ${values.length}`,
        { details: { sql } },
      );
    }
    const named = names.has(translated.name) || canEvict || names.size < state.max;
    try {
      const result = named
        ? await client.query({ name: translated.name, text: translated.text, values: values as unknown[], ...(rowMode ? { rowMode } : {}) })
        : await client.query({ text: translated.text, values: values as unknown[], ...(rowMode ? { rowMode } : {}) });
      return result;
    } catch (error) {
      throw wrapPostgresError(error, 'statement failed');
    } finally {
      if (named && parsedStatementsOf(client)?.[translated.name] !== undefined) {
        names.delete(translated.name);
        names.set(translated.name, true);
      } else if (named && !canEvict) {
        names.set(translated.name, true);
      }
    }
  };

  return {
    run: async (sql, params) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    get: async <T>(sql: string, params?: readonly unknown[]) => (await query(sql, params)).rows[0] as T | undefined,
    all: async <T>(sql: string, params?: readonly unknown[]) => (await query(sql, params)).rows as T[],
    values: async <T extends unknown[]>(sql: string, params?: readonly unknown[]) => (await query(sql, params, 'array')).rows as unknown as T[],
    exec: async (sql) => {
      try {
        await client.query(sql);
      } catch (error) {
        throw wrapPostgresError(error, 'statement failed');
      }
    },
  };
}

/**
 * Drops the least recently used prepared statements of a connection beyond its bound. Call
 * only outside a transaction (the connection is about to go back to the pool): DEALLOCATE
 * is refused in an aborted transaction. Never throws; a connection that cannot deallocate is
 * reported so the caller can destroy it instead of pooling it.
 */
export async function trimPreparedStatements(client: pg.ClientBase): Promise<boolean> {
  const state = prepared.get(client);
  const parsed = parsedStatementsOf(client);
  if (!state || !parsed) return true;
  while (state.names.size > state.max) {
    const name = state.names.keys().next().value as string;
    try {
      await client.query(`DEALLOCATE "${name}"`);
    } catch {
      return false;
    }
    state.names.delete(name);
    delete parsed[name];
  }
  return true;
}

/** How many statements Cairn has prepared on this connection (tests, diagnostics). */
export function preparedStatementCount(client: pg.ClientBase): number {
  return prepared.get(client)?.names.size ?? 0;
}
