import type {
  PageResult,
  ThreadHistoryParams,
  TimelineEntry,
  TurnCancelParams,
  TurnCancelResult,
  TurnEventAppendEntryResult,
  TurnEventAppendParams,
  TurnEventAppendResult,
  TurnGetParams,
  TurnGetResult,
  TurnItem,
  TurnItemsParams,
  TurnStartParams,
  TurnStartResult,
  TurnStatusChange,
  TurnTimelineParams,
  TurnWithItems,
} from '@cairn/protocol';
import { TurnGetParams as TurnRefSchema } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendEvent, appendEvents, type TurnEventAppendOneParams } from './append-event.js';
import { cancelTurn } from './cancel-turn.js';
import { getTurn, statusHistory } from './read/get-turn.js';
import { listTurnItems } from './read/list-turn-items.js';
import { listTurnTimeline } from './read/list-turn-timeline.js';
import { readThreadHistory } from './read/thread-history.js';
import { startTurn } from './start-turn.js';
import type { TurnDeps } from './turn-deps.js';

/** `store.turns`: durable turns. Writes are turn events (journaled + projected in one transaction); reads are read models. */
export class TurnStore {
  readonly #deps: TurnDeps;

  constructor(deps: TurnDeps) {
    this.#deps = deps;
  }

  /** `turn/event/append`: 1..256 events of one workspace in one transaction, all or nothing; one result per event. */
  appendEvents(params: TurnEventAppendParams): Promise<TurnEventAppendResult> {
    return appendEvents(this.#deps, params);
  }

  /** One event: `appendEvents` with a batch of one. */
  appendEvent(params: TurnEventAppendOneParams): Promise<TurnEventAppendEntryResult> {
    return appendEvent(this.#deps, params);
  }

  start(params: TurnStartParams): Promise<TurnStartResult> {
    return startTurn(this.#deps, params);
  }

  cancel(params: TurnCancelParams): Promise<TurnCancelResult> {
    return cancelTurn(this.#deps, params);
  }

  get(params: TurnGetParams): Promise<TurnGetResult> {
    return getTurn(this.#deps.context, params);
  }

  items(params: TurnItemsParams): Promise<PageResult<TurnItem>> {
    return listTurnItems(this.#deps.context, params);
  }

  timeline(params: TurnTimelineParams): Promise<PageResult<TimelineEntry>> {
    return listTurnTimeline(this.#deps.context, params);
  }

  /** Oldest change first. */
  async statusHistory(params: { workspace_id: string; turn_id: string }): Promise<TurnStatusChange[]> {
    const p = parseParams(TurnRefSchema, params, 'turn/status_history');
    return this.#deps.context.read((q) => statusHistory(q, p.workspace_id, p.turn_id));
  }

  /** `thread/history`. */
  history(params: ThreadHistoryParams): Promise<PageResult<TurnWithItems>> {
    return readThreadHistory(this.#deps.context, params);
  }
}
