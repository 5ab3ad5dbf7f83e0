import type { SearchHit } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../../port/types.js';
import type { SearchDocument, SearchIndex, SearchQuery } from '../../search/search-index.js';

/*
 * SQLite-specific on purpose: FTS5's MATCH, rank and snippet() exist nowhere else. The table
 * comes from gateway migration 0003 (`turn_search`, unicode61 tokenizer without diacritics).
 */
const INSERT = 'INSERT INTO turn_search (body, workspace_id, thread_id, turn_id, item_id, at) VALUES (?, ?, ?, ?, ?, ?)';
const HIT_COLUMNS = `workspace_id, thread_id, turn_id, item_id, at, snippet(turn_search, 0, '[', ']', '…', 16) AS snippet`;
const SEARCH = `SELECT ${HIT_COLUMNS} FROM turn_search
  WHERE turn_search MATCH ? AND workspace_id = ? ORDER BY rank LIMIT ? OFFSET ?`;
const SEARCH_THREAD = `SELECT ${HIT_COLUMNS} FROM turn_search
  WHERE turn_search MATCH ? AND workspace_id = ? AND thread_id = ? ORDER BY rank LIMIT ? OFFSET ?`;

/** Longest text indexed per document: enough for any message, bounded for pathological tool output. */
export const MAX_INDEXED_CHARS = 100_000;
const MAX_TERMS = 16;

interface HitRow {
  workspace_id: string;
  thread_id: string;
  turn_id: string;
  item_id: string | null;
  at: string;
  snippet: string;
}

export function createSqliteFtsSearchIndex(): SearchIndex {
  return {
    tables: ['turn_search'],
    async add(ctx: WriteContext, doc: SearchDocument): Promise<void> {
      const text = doc.text.length > MAX_INDEXED_CHARS ? doc.text.slice(0, MAX_INDEXED_CHARS) : doc.text;
      if (text.trim() === '') return;
      await ctx.run(INSERT, [text, doc.workspaceId, doc.threadId, doc.turnId, doc.itemId, doc.at]);
    },
    async search(q: ReadContext, query: SearchQuery): Promise<SearchHit[]> {
      const match = toFtsQuery(query.text);
      if (match === null) return [];
      const rows =
        query.threadId === undefined
          ? await q.all<HitRow>(SEARCH, [match, query.workspaceId, query.limit, query.offset])
          : await q.all<HitRow>(SEARCH_THREAD, [match, query.workspaceId, query.threadId, query.limit, query.offset]);
      return rows.map((row) => ({
        workspace_id: row.workspace_id,
        thread_id: row.thread_id,
        turn_id: row.turn_id,
        item_id: row.item_id,
        kind: row.item_id === null ? 'input' : 'item',
        snippet: row.snippet,
        at: row.at,
      }));
    },
  };
}

/**
 * User text to an FTS5 query that cannot be a syntax error or an injection: every word
 * becomes a quoted string (all must match), and the last one also matches as a prefix, so
 * results appear while typing. Returns null when nothing searchable is left.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  if (!words || words.length === 0) return null;
  const terms = words.slice(0, MAX_TERMS).map((w) => `"${w.replaceAll('"', '""')}"`);
  terms[terms.length - 1] += '*';
  return terms.join(' ');
}
