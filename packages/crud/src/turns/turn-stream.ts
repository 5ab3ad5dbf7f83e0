import type { Projector } from '../journal/projector.js';
import { createJournal } from '../journal/create-journal.js';
import type { Journal, JournalOptions } from '../journal/types.js';
import { createSqliteFtsSearchIndex } from '../search/sqlite-fts-search-index.js';
import type { SearchIndex } from '../search/search-index.js';
import type { StoreContext } from '../store/store-context.js';
import { TurnRecordsProjector } from '../turn-records/turn-records-projector.js';
import { TurnProjector } from './turn-projector.js';
import type { TurnDeps } from './turn-deps.js';

export interface TurnStreamOptions {
  /** A journal of the caller's (e.g. with the keystore's redaction hook); default `createJournal()` on the store clock. */
  journal?: Journal;
  journalOptions?: JournalOptions;
  /** Default: SQLite FTS5. */
  search?: SearchIndex;
}

/**
 * The turn stream as the facade wires it: one journal, one search index, and every projector
 * that follows turn events, in the order they apply (the turn read models first, so the turn
 * records see the turn as the event left it). `store.turns`, `store.turnRecords`,
 * `store.search` and `store.repair` share it.
 */
export function createTurnStream(context: StoreContext, options: TurnStreamOptions = {}): TurnDeps {
  const journal = options.journal ?? createJournal({ now: () => context.now(), ...options.journalOptions });
  const search = options.search ?? createSqliteFtsSearchIndex();
  const projectors: readonly Projector[] = [new TurnProjector({ search }), new TurnRecordsProjector()];
  return { context, journal, search, projectors: () => projectors };
}
