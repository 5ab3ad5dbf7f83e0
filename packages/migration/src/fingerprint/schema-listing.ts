import { createHash } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { dialectOf } from '../runner/dialect.js';
import { resolveTarget } from '../runner/target.js';
import { listPostgresSchema } from './postgres-listing.js';

/** One object of the schema as the fingerprint sees it: a row of `sqlite_master`, or of PostgreSQL's catalog. */
export interface SchemaObject {
  /** SQLite lists tables, indexes, triggers and views; PostgreSQL also the rest. */
  readonly type: 'table' | 'index' | 'trigger' | 'view' | 'constraint' | 'function' | 'sequence' | 'rule' | 'policy' | 'type';
  /** A function's name carries its argument types (`f(integer)`): overloads are distinct objects. */
  readonly name: string;
  /** The table an index, trigger or constraint belongs to (the object itself for a table). */
  readonly tblName: string;
  /**
   * SQLite: the CREATE statement; PostgreSQL: the canonical description of `postgres-listing.ts`.
   * Whitespace outside quotes collapsed; `null` for an FTS5 shadow table (see `readSchemaListing`).
   */
  readonly sql: string | null;
}

/** Bumped only if the listing's encoding changes; it is hashed first, so old values can never match by accident. */
const FINGERPRINT_FORMAT = 'cairn-schema-fingerprint v1';

/**
 * The schema objects of the database as its dialect lists them: SQLite's file, or on
 * PostgreSQL the schema the runner migrates there (the DataSource's `schema` option, else
 * `current_schema()`; see `postgres-listing.ts` for what is listed). Read-only.
 */
export async function readSchemaListing(dataSource: DataSource): Promise<SchemaObject[]> {
  if (dialectOf(dataSource) === 'sqlite') return readSqliteListing(dataSource);
  const runner = dataSource.createQueryRunner();
  try {
    const target = await resolveTarget(dataSource, runner);
    await runner.query('BEGIN READ ONLY');
    try {
      return await readPostgresListing(runner, target.schema!);
    } finally {
      await runner.query('ROLLBACK');
    }
  } finally {
    await runner.release();
  }
}

/**
 * PostgreSQL's listing of `schema`, inside the caller's transaction on `runner` (which this
 * scopes to the schema with `SET LOCAL search_path`, so definitions name its tables unqualified).
 */
export async function readPostgresListing(runner: QueryRunner, schema: string): Promise<SchemaObject[]> {
  await runner.query(`SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident($1), true)`, [schema]);
  const rows = await listPostgresSchema(runner, schema);
  return rows
    .map((row) => ({ type: row.type as SchemaObject['type'], name: row.name, tblName: row.tbl_name, sql: row.sql === null ? null : normaliseSql(row.sql) }))
    .sort(compareObjects);
}

/**
 * Every user object of the file's `main` schema: tables (the migration runner's bookkeeping
 * table included), indexes, triggers, views, virtual tables and their shadow tables, sorted
 * by type, then name.
 *
 * Left out, because SQLite makes them and no migration says what they hold: `sqlite_*`
 * objects (the automatic indexes behind PRIMARY KEY/UNIQUE, which follow from the table's
 * own SQL; `sqlite_sequence`; `sqlite_stat*` from ANALYZE or `PRAGMA optimize`).
 *
 * An FTS5 shadow table (`turn_search_data`, `_idx`, ...) is listed by name with its SQL left
 * out: the FTS5 module writes that DDL itself, and a SQLite upgrade may word it differently
 * for new files, which must not make every existing file look tampered with. Its presence is
 * still checked, and the virtual table's own SQL (what the migration wrote) is compared.
 */
async function readSqliteListing(dataSource: DataSource): Promise<SchemaObject[]> {
  const rows = (await dataSource.query(
    `SELECT m.type AS type, m.name AS name, m.tbl_name AS tbl_name, m.sql AS sql,
       (SELECT t.type FROM pragma_table_list AS t WHERE t.schema = 'main' AND t.name = m.name) AS list_type
     FROM sqlite_master AS m
     WHERE m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`,
  )) as Array<{ type: SchemaObject['type']; name: string; tbl_name: string; sql: string | null; list_type: string | null }>;
  return rows
    .map((row) => ({
      type: row.type,
      name: row.name,
      tblName: row.tbl_name,
      sql: row.list_type === 'shadow' || row.sql === null ? null : normaliseSql(row.sql),
    }))
    .sort(compareObjects);
}

/** The text that is hashed: one JSON array per object, in listing order. Also what a failing test prints. */
export function canonicalListing(objects: readonly SchemaObject[]): string {
  return [...objects]
    .sort(compareObjects)
    .map((o) => JSON.stringify([o.type, o.name, o.tblName, o.sql]))
    .join('\n');
}

/** SHA-256 (hex) over the format tag and the canonical listing. */
export function schemaFingerprint(objects: readonly SchemaObject[]): string {
  return createHash('sha256').update(`${FINGERPRINT_FORMAT}\n${canonicalListing(objects)}`).digest('hex');
}

/**
 * Collapses runs of whitespace outside quoted text ('...', "...", `...`, [...]) to one space
 * and trims, so re-indenting a statement is not a schema change while a changed string
 * literal in a trigger is.
 */
export function normaliseSql(sql: string): string {
  let out = '';
  let quote: string | undefined;
  let pendingSpace = false;
  for (const ch of sql) {
    if (quote !== undefined) {
      out += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(ch)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += ch;
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '[') quote = ']';
  }
  return out;
}

function compareObjects(a: SchemaObject, b: SchemaObject): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  // PostgreSQL names constraints and triggers per table: two tables may each have one `x`.
  return a.tblName < b.tblName ? -1 : a.tblName > b.tblName ? 1 : 0;
}
