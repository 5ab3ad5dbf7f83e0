import type { PageResult, SearchHit, ThreadSearchParams } from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import type { SearchIndex } from './search-index.js';
import { searchThreads } from './search-threads.js';

/** `store.search`: full text over turn inputs and items. */
export class SearchStore {
  readonly #context: StoreContext;
  readonly #index: SearchIndex;

  constructor(context: StoreContext, index: SearchIndex) {
    this.#context = context;
    this.#index = index;
  }

  /** `thread/search`. */
  threads(params: ThreadSearchParams): Promise<PageResult<SearchHit>> {
    return searchThreads(this.#context, this.#index, params);
  }
}
