import type { SearchHit } from '@cairn/protocol';
import type { ReadContext } from '../../port/types.js';
import type { SearchIndex, SearchQuery } from '../../search/search-index.js';
import { MAX_SEARCH_TERMS, addSearchDocument, toSearchHit, type SearchHitRow } from '../../search/search-rows.js';

/*
 * SQLite-specific on purpose: FTS5's MATCH, rank and snippet() exist nowhere else. The table
 * comes from gateway migration 0003 (`turn_search`, unicode61 tokenizer without diacritics).
 */
const HIT_COLUMNS = `workspace_id, thread_id, turn_id, item_id, at, snippet(turn_search, 0, '[', ']', '…', 16) AS snippet`;
const SEARCH = `SELECT ${HIT_COLUMNS} FROM turn_search
  WHERE turn_search MATCH ? AND workspace_id = ? ORDER BY rank LIMIT ? OFFSET ?`;
const SEARCH_THREAD = `SELECT ${HIT_COLUMNS} FROM turn_search
  WHERE turn_search MATCH ? AND workspace_id = ? AND thread_id = ? ORDER BY rank LIMIT ? OFFSET ?`;

export function createSqliteFtsSearchIndex(): SearchIndex {
  return {
    tables: ['turn_search'],
    add: addSearchDocument,
    async search(q: ReadContext, query: SearchQuery): Promise<SearchHit[]> {
      const match = toFtsQuery(query.text);
      if (match === null) return [];
      const rows =
        query.threadId === undefined
          ? await q.all<SearchHitRow>(SEARCH, [match, query.workspaceId, query.limit, query.offset])
          : await q.all<SearchHitRow>(SEARCH_THREAD, [match, query.workspaceId, query.threadId, query.limit, query.offset]);
      return rows.map(toSearchHit);
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
  const terms = words.slice(0, MAX_SEARCH_TERMS).map((w) => `"${w.replaceAll('"', '""')}"`);
  terms[terms.length - 1] += '*';
  return terms.join(' ');
}
