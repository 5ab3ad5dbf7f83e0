import type { SearchHit } from '@cairn/protocol';
import type { WriteContext } from '../port/types.js';
import type { SearchDocument } from './search-index.js';

/*
 * What both search indexes share: the `turn_search` table's columns (gateway migration 0003:
 * an FTS5 table on SQLite, a table with a generated tsvector on PostgreSQL, the same columns
 * written), the bound on indexed text and query terms, and the shape of a hit. Only MATCH
 * versus tsquery, rank and snippets differ, in each dialect's index.
 */

/** Longest text indexed per document: enough for any message, bounded for pathological tool output. */
export const MAX_INDEXED_CHARS = 100_000;
/** Most words of a query that are searched for; the rest are ignored. */
export const MAX_SEARCH_TERMS = 16;

const INSERT = 'INSERT INTO turn_search (body, workspace_id, thread_id, turn_id, item_id, at) VALUES (?, ?, ?, ?, ?, ?)';

/** Indexes one document (cut at MAX_INDEXED_CHARS; a blank one is not indexed). */
export async function addSearchDocument(ctx: WriteContext, doc: SearchDocument): Promise<void> {
  const text = doc.text.length > MAX_INDEXED_CHARS ? doc.text.slice(0, MAX_INDEXED_CHARS) : doc.text;
  if (text.trim() === '') return;
  await ctx.run(INSERT, [text, doc.workspaceId, doc.threadId, doc.turnId, doc.itemId, doc.at]);
}

/** A hit as both indexes select it. */
export interface SearchHitRow {
  workspace_id: string;
  thread_id: string;
  turn_id: string;
  item_id: string | null;
  at: string;
  snippet: string;
}

export function toSearchHit(row: SearchHitRow): SearchHit {
  return {
    workspace_id: row.workspace_id,
    thread_id: row.thread_id,
    turn_id: row.turn_id,
    item_id: row.item_id,
    kind: row.item_id === null ? 'input' : 'item',
    snippet: row.snippet,
    at: row.at,
  };
}
