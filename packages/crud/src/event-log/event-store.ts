import type { StoreContext } from '../store/store-context.js';
import type { EventAppendResult, EventInput, EventLog } from './types.js';

/**
 * `store.events`: the store's one event log. `append` runs `appendEvents` in its own
 * write job (one transaction, all or nothing); code already inside a job calls
 * `log.appendEvents(ctx, ...)`. A stream is added with `openCrudStore({ streams })`.
 */
export class EventStore {
  readonly log: EventLog;
  readonly #context: StoreContext;

  constructor(context: StoreContext, log: EventLog) {
    this.#context = context;
    this.log = log;
  }

  /** 1..256 events of one workspace, any of its registered streams, in one transaction; one result per event. */
  append(inputs: readonly EventInput[]): Promise<EventAppendResult[]> {
    return this.#context.write((ctx) => this.log.appendEvents(ctx, inputs));
  }
}
