import type { SearchHit } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../../port/types.js';
import type { SearchDocument, SearchIndex, SearchQuery } from '../../search/search-index.js';
import { MAX_INDEXED_CHARS } from '../sqlite/fts-search-index.js';

/*
 * PostgreSQL-specific on purpose: tsquery, ts_rank and ts_headline. The table comes from gateway
 * migration 0003 (`turn_search`; `document` is generated from `body` as
 * to_tsvector('simple', body after NFD with combining marks removed), FTS5's `unicode61
 * remove_diacritics 2` without the unaccent extension). A query is folded the same way, in JS,
 * so it cannot meet the document differently. The hits are ranked in a subquery and only the
 * page's rows get a headline (the expensive part).
 */
const INSERT = 'INSERT INTO turn_search (body, workspace_id, thread_id, turn_id, item_id, at) VALUES (?, ?, ?, ?, ?, ?)';
const FOLDED_BODY = String.raw`regexp_replace(normalize(s.body, NFD), '[\u0300-\u036f]', '', 'g')`;
const HEADLINE_OPTIONS = 'StartSel=[, StopSel=], MaxWords=16, MinWords=6, ShortWord=0, HighlightAll=false';
const search = (threadFilter: string) => `SELECT s.workspace_id, s.thread_id, s.turn_id, s.item_id, s.at,
    ts_headline('simple', ${FOLDED_BODY}, to_tsquery('simple', ?), '${HEADLINE_OPTIONS}') AS snippet
  FROM (SELECT search_id, ts_rank(document, to_tsquery('simple', ?)) AS rank FROM turn_search
        WHERE document @@ to_tsquery('simple', ?) AND workspace_id = ?${threadFilter}
        ORDER BY rank DESC, search_id LIMIT ? OFFSET ?) hit
  JOIN turn_search s ON s.search_id = hit.search_id
  ORDER BY hit.rank DESC, hit.search_id`;
const SEARCH = search('');
const SEARCH_THREAD = search(' AND thread_id = ?');
const MAX_TERMS = 16;

interface HitRow {
  workspace_id: string;
  thread_id: string;
  turn_id: string;
  item_id: string | null;
  at: string;
  snippet: string;
}

export function createPostgresSearchIndex(): SearchIndex {
  return {
    tables: ['turn_search'],
    async add(ctx: WriteContext, doc: SearchDocument): Promise<void> {
      const text = doc.text.length > MAX_INDEXED_CHARS ? doc.text.slice(0, MAX_INDEXED_CHARS) : doc.text;
      if (text.trim() === '') return;
      await ctx.run(INSERT, [text, doc.workspaceId, doc.threadId, doc.turnId, doc.itemId, doc.at]);
    },
    async search(q: ReadContext, query: SearchQuery): Promise<SearchHit[]> {
      const tsquery = toTsQuery(query.text);
      if (tsquery === null) return [];
      const rows =
        query.threadId === undefined
          ? await q.all<HitRow>(SEARCH, [tsquery, tsquery, tsquery, query.workspaceId, query.limit, query.offset])
          : await q.all<HitRow>(SEARCH_THREAD, [tsquery, tsquery, tsquery, query.workspaceId, query.threadId, query.limit, query.offset]);
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

/** What the generated `document` column does to text: NFD, combining marks (U+0300..U+036F) dropped, lower case. */
export function foldSearchText(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/**
 * User text to a tsquery that cannot be a syntax error or an injection: the text is folded as
 * the document is, cut into runs of letters and digits (so no quote, `&`, `|`, `!`, `<->`,
 * `:` or `*` survives to be an operator), every run must match (`&`), and the last one also
 * as a prefix (`:*`), so results appear while typing, as with FTS5. Each term is quoted all
 * the same. Returns null when nothing searchable is left.
 */
export function toTsQuery(text: string): string | null {
  const words = foldSearchText(text).match(/[\p{L}\p{N}]+/gu);
  if (!words || words.length === 0) return null;
  const terms = words.slice(0, MAX_TERMS).map((w) => `'${w}'`);
  terms[terms.length - 1] += ':*';
  return terms.join(' & ');
}
