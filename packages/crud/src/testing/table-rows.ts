import type { ReadContext } from '../port/types.js';

const PRIMARY_KEY = `SELECT a.attname AS name FROM pg_index i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
  WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`;

/**
 * Every row of a table in a stable order, for row-for-row comparisons (before and after a
 * rebuild): by `orderBy`, else SQLite's rowid (insertion order); PostgreSQL has no rowid, so
 * there by the primary key. `turn_search.search_id` (PostgreSQL: an identity a rebuild draws
 * anew, in the same order) is left out, as `SELECT *` leaves FTS5's rowid out.
 */
export async function readTableRows(q: ReadContext, table: string, orderBy?: string): Promise<Array<Record<string, unknown>>> {
  const order = orderBy !== undefined && orderBy !== 'rowid' ? orderBy : await rowOrder(q, table);
  const rows = await q.all<Record<string, unknown>>(`SELECT * FROM "${table}" ORDER BY ${order}`);
  return table === 'turn_search' ? rows.map(({ search_id: _id, ...row }) => row) : rows;
}

/** `rowid` on SQLite; the primary key's columns on PostgreSQL. */
export async function rowOrder(q: ReadContext, table: string): Promise<string> {
  if (q.dialect.name === 'sqlite') return 'rowid';
  const columns = await q.all<{ name: string }>(PRIMARY_KEY, [table]);
  if (columns.length === 0) throw new Error(`${table} has no primary key to order by`);
  return columns.map((c) => `"${c.name}"`).join(', ');
}
