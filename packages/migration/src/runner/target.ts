import type { DataSource, QueryRunner } from 'typeorm';
import { dialectOf } from './dialect.js';
import { MigrationError } from './migration-error.js';
import type { Dialect } from './types.js';

/**
 * Where a run's migrations and bookkeeping live, and how its statements name parameters.
 *
 * SQLite: the file (`main`). PostgreSQL: one schema, the `DataSource`'s `schema` option or
 * else the connection's `current_schema()` (the first existing schema of its search_path).
 * Each schema has its own `schema_migration`, so the keystore can live in `cairn_keystore`
 * beside the gateway in `public` without either seeing the other's versions.
 */
export interface MigrationTarget {
  readonly dialect: Dialect;
  /** PostgreSQL only: the schema, unquoted. */
  readonly schema: string | undefined;
  /** The schema, quoted for SQL (PostgreSQL only). */
  readonly quotedSchema: string | undefined;
  /** `?` on SQLite, `$n` on PostgreSQL (1-based). */
  param(index: number): string;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Resolves the target on `runner`'s connection (read-only). PostgreSQL without a `schema`
 * option and with no existing schema on the search_path has nowhere to migrate:
 * `unsupported_database`, rather than guessing.
 */
export async function resolveTarget(dataSource: Pick<DataSource, 'options'>, runner: QueryRunner): Promise<MigrationTarget> {
  const dialect = dialectOf(dataSource);
  if (dialect === 'sqlite') return { dialect, schema: undefined, quotedSchema: undefined, param: () => '?' };
  const configured = (dataSource.options as { schema?: string }).schema;
  const schema = configured ?? ((await runner.query('SELECT current_schema() AS schema')) as Array<{ schema: string | null }>)[0]?.schema ?? null;
  if (schema === null || schema === '') {
    throw new MigrationError(
      'unsupported_database',
      'no PostgreSQL schema to migrate: the DataSource has no schema option and its search_path names no existing schema',
      { details: { type: dataSource.options.type } },
    );
  }
  return postgresTarget(schema);
}

export function postgresTarget(schema: string): MigrationTarget {
  return { dialect: 'postgres', schema, quotedSchema: quoteIdentifier(schema), param: (index) => `$${index}` };
}

/**
 * Run first in every migration transaction on PostgreSQL, under the lock: creates the schema
 * if it is missing and `create` (on the way up; checked first, so a role without CREATE on the database can still migrate
 * an existing schema), and points the transaction's search_path at it alone, so the frozen
 * SQL's unqualified names land there and trigger functions (`SET search_path FROM CURRENT`)
 * pin exactly this schema.
 */
export async function enterTarget(runner: QueryRunner, target: MigrationTarget, options: { create: boolean }): Promise<void> {
  if (target.dialect !== 'postgres') return;
  if (options.create) {
    const exists = (await runner.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [target.schema])) as unknown[];
    if (exists.length === 0) await runner.query(`CREATE SCHEMA ${target.quotedSchema}`);
  }
  await runner.query(`SET LOCAL search_path TO ${target.quotedSchema}`);
}
