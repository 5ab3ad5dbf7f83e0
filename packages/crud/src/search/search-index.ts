import type { SearchHit } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../port/types.js';

/** One searchable text: a turn's input (`itemId` null) or an item's final text. */
export interface SearchDocument {
  workspaceId: string;
  threadId: string;
  turnId: string;
  itemId: string | null;
  text: string;
  at: string;
}

export interface SearchQuery {
  workspaceId: string;
  /** What the user typed; the implementation turns it into its own query language safely. */
  text: string;
  threadId?: string;
  limit: number;
  offset: number;
}

/**
 * Full-text search over turn inputs and item text, kept in step by the `TurnProjector` in the
 * transaction that appends the event. Each dialect provides its own (`Dialect.createSearchIndex`:
 * SQLite's FTS5 `createSqliteFtsSearchIndex`; PostgreSQL: a tsvector column with a GIN
 * index) without the projector changing.
 */
export interface SearchIndex {
  /** Tables the index owns, emptied before a read-model rebuild. */
  readonly tables: readonly string[];
  add(ctx: WriteContext, doc: SearchDocument): Promise<void>;
  /** Best match first, at most `limit` hits after skipping `offset`. */
  search(q: ReadContext, query: SearchQuery): Promise<SearchHit[]>;
}
