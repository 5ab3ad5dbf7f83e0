import type { Projector } from '../journal/projector.js';
import type { Journal } from '../journal/types.js';
import type { SearchIndex } from '../search/search-index.js';
import type { StoreContext } from '../store/store-context.js';

/** What the turn operations need besides the store context. */
export interface TurnDeps {
  context: StoreContext;
  journal: Journal;
  /** Every projector of the turn stream (TurnProjector first, then TurnRecordsProjector, ...), in order. */
  projectors: () => readonly Projector[];
  search: SearchIndex;
}
