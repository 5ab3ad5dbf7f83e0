import type { SearchHit } from '@cairn/protocol';
import type { ReadContext } from '../../port/types.js';
import type { SearchIndex, SearchQuery } from '../../search/search-index.js';
import { MAX_SEARCH_TERMS, addSearchDocument, toSearchHit, type SearchHitRow } from '../../search/search-rows.js';

/*
 * PostgreSQL-specific on purpose: tsquery, ts_rank and ts_headline. The table comes from gateway
 * migration 0003 (`turn_search`; `document` is generated from `body` as
 * to_tsvector('simple', body after NFD with combining marks removed), FTS5's `unicode61
 * remove_diacritics 2` without the unaccent extension). A query is folded the same way, in JS,
 * so it cannot meet the document differently. The hits are ranked in a subquery and only the
 * page's rows get a headline (the expensive part).
 */
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

export function createPostgresSearchIndex(): SearchIndex {
  return {
    tables: ['turn_search'],
    add: addSearchDocument,
    async search(q: ReadContext, query: SearchQuery): Promise<SearchHit[]> {
      const tsquery = toTsQuery(query.text);
      if (tsquery === null) return [];
      const rows =
        query.threadId === undefined
          ? await q.all<SearchHitRow>(SEARCH, [tsquery, tsquery, tsquery, query.workspaceId, query.limit, query.offset])
          : await q.all<SearchHitRow>(SEARCH_THREAD, [tsquery, tsquery, tsquery, query.workspaceId, query.threadId, query.limit, query.offset]);
      return rows.map(toSearchHit);
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
  const terms = words.slice(0, MAX_SEARCH_TERMS).map((w) => `'${w}'`);
  terms[terms.length - 1] += ':*';
  return terms.join(' & ');
}
