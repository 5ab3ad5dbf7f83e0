import type { TurnEventAppendResult, TurnEventPayload } from '@cairn/protocol';
import type { Projector } from '../../journal/projector.js';
import type { Journal } from '../../journal/types.js';
import { RepairStore } from '../../repair/repair-store.js';
import { SearchStore } from '../../search/search-store.js';
import type { SearchIndex } from '../../search/search-index.js';
import { openTempStore, steppingClock, type TempStore } from '../../testing/temp-store.js';
import type { CrudStore } from '../../store/crud-store.js';
import { TurnStore } from '../turn-store.js';
import type { TurnDeps } from '../turn-deps.js';

export const WS = 'w1';
export const THREAD = 't1';

export interface TurnFixture {
  temp: TempStore;
  store: CrudStore;
  journal: Journal;
  search: SearchIndex;
  /** The facade's turn-stream projectors, in order (mutable: a test may add one). */
  projectors: Projector[];
  deps: TurnDeps;
  turns: TurnStore;
  searchStore: SearchStore;
  repair: RepairStore;
  /** Appends through `turns.appendEvent` with a fresh idempotency key unless one is given. */
  append(turnId: string, event: TurnEventPayload, options?: { key?: string; threadId?: string; workspaceId?: string }): Promise<TurnEventAppendResult>;
  /** Every row of a table, in a stable order, for row-for-row comparisons. */
  rows(table: string, orderBy?: string): Promise<Array<Record<string, unknown>>>;
  cleanup(): Promise<void>;
}

/**
 * A temp gateway.db with workspace `w1` and thread `t1`, and the turn modules built as the
 * facade builds them (over `store.turnStream`: TurnProjector, then TurnRecordsProjector), on a
 * stepping clock (every reading 1 ms later: deterministic times).
 */
export async function openTurnFixture(): Promise<TurnFixture> {
  const temp = await openTempStore({ clock: steppingClock() });
  const { store } = temp;
  await store.workspaces.create({ workspace_id: WS, name: 'W' });
  await store.threads.start({ workspace_id: WS, thread_id: THREAD });
  // The facade's stream with a mutable projector list, so a test can add one.
  const projectors: Projector[] = [...store.turnStream.projectors()];
  const deps: TurnDeps = { ...store.turnStream, projectors: () => projectors };
  const { journal, search } = deps;
  const turns = new TurnStore(deps);
  let keys = 0;
  return {
    temp,
    store,
    journal,
    search,
    projectors,
    deps,
    turns,
    searchStore: new SearchStore(store.context, search),
    repair: new RepairStore(deps),
    append: (turnId, event, options = {}) =>
      turns.appendEvent({
        workspace_id: options.workspaceId ?? WS,
        thread_id: options.threadId ?? THREAD,
        turn_id: turnId,
        idempotency_key: options.key ?? `k${++keys}`,
        event,
      }),
    rows: (table, orderBy = 'rowid') =>
      store.context.read((q) => q.all<Record<string, unknown>>(`SELECT * FROM "${table}" ORDER BY ${orderBy}`)),
    cleanup: temp.cleanup,
  };
}

export const text = (t: string): TurnEventPayload => ({ type: 'turn.started', input: [{ type: 'text', text: t }] });
