import type { EventLog } from '../event-log/types.js';
import type { SearchIndex } from '../search/search-index.js';
import type { StoreContext } from '../store/store-context.js';

/** What the turn operations need besides the store context: the store's one event log, and the search index its turn projector writes. */
export interface TurnDeps {
  context: StoreContext;
  events: EventLog;
  search: SearchIndex;
}
