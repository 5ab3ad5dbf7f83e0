import { hash } from 'node:crypto';
import { CairnError, LIMITS, ThreadSearchParams, type PageResult, type SearchHit } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { decodeCursor, encodeCursor } from '../pagination/cursor.js';
import type { StoreContext } from '../store/store-context.js';
import { requireThread } from '../thread/thread-row.js';
import type { SearchIndex } from './search-index.js';

/** Deepest page a search cursor may reach: relevance pages are for reading, not for export. */
export const MAX_SEARCH_OFFSET = 10_000;

/**
 * `thread/search`: best match first over turn inputs and finished items of one workspace
 * (optionally one thread). Ranked results have no stable key to resume after, so the cursor
 * is an offset bound to the query; a page may shift if the index grows between calls.
 */
export async function searchThreads(store: StoreContext, index: SearchIndex, params: ThreadSearchParams): Promise<PageResult<SearchHit>> {
  const p = parseParams(ThreadSearchParams, params, 'thread/search');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = `thread-search:${hash('sha256', `${p.workspace_id}\n${p.thread_id ?? ''}\n${p.query}`, 'hex').slice(0, 24)}`;
  const offset = p.cursor === undefined ? 0 : Number(decodeCursor(p.cursor, filter)[0]);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_SEARCH_OFFSET) {
    throw new CairnError('invalid_params', 'cursor is not valid for this query', { details: { cursor: 'invalid' } });
  }
  return store.read(async (q) => {
    if (p.thread_id !== undefined) await requireThread(q, p.workspace_id, p.thread_id);
    const hits = await index.search(q, {
      workspaceId: p.workspace_id,
      text: p.query,
      ...(p.thread_id !== undefined ? { threadId: p.thread_id } : {}),
      limit: limit + 1,
      offset,
    });
    const more = hits.length > limit && offset + limit < MAX_SEARCH_OFFSET;
    return { items: hits.slice(0, limit), next_cursor: more ? encodeCursor(filter, [String(offset + limit), '']) : null };
  });
}
