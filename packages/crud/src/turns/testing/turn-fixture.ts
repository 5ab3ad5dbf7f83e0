import type { TurnEventAppendEntryResult, TurnEventPayload } from '@cairn/protocol';
import type { Projector } from '../../event-log/types.js';
import type { RepairStore } from '../../repair/repair-store.js';
import type { SearchStore } from '../../search/search-store.js';
import { readTableRows } from '../../testing/table-rows.js';
import { openTempStore, steppingClock, type TempStore } from '../../testing/temp-store.js';
import type { CrudStore } from '../../store/crud-store.js';
import type { TurnStore } from '../turn-store.js';

export const WS = 'w1';
export const THREAD = 't1';

export interface TurnFixture {
  temp: TempStore;
  store: CrudStore;
  /** Every projector of the store's event log, in registration order (TurnProjector, TurnRecordsProjector, RecoveryJobProjector). */
  projectors: readonly Projector[];
  turns: TurnStore;
  searchStore: SearchStore;
  repair: RepairStore;
  /** Appends through `turns.appendEvent` with a fresh idempotency key unless one is given. */
  append(turnId: string, event: TurnEventPayload, options?: { key?: string; threadId?: string; workspaceId?: string }): Promise<TurnEventAppendEntryResult>;
  /** Every row of a table, in a stable order, for row-for-row comparisons. */
  rows(table: string, orderBy?: string): Promise<Array<Record<string, unknown>>>;
  cleanup(): Promise<void>;
}

/**
 * A temp gateway.db with workspace `w1` and thread `t1`, the store's turn modules as the
 * facade wires them (one event log: TurnProjector, then the turn-record and recovery-job
 * projectors), on a stepping clock (every reading 1 ms later: deterministic times).
 */
export async function openTurnFixture(): Promise<TurnFixture> {
  const temp = await openTempStore({ clock: steppingClock() });
  const { store } = temp;
  await store.workspaces.create({ workspace_id: WS, name: 'W' });
  await store.threads.start({ workspace_id: WS, thread_id: THREAD });
  let keys = 0;
  return {
    temp,
    store,
    projectors: store.events.log.projectors,
    turns: store.turns,
    searchStore: store.search,
    repair: store.repair,
    append: (turnId, event, options = {}) =>
      store.turns.appendEvent({
        workspace_id: options.workspaceId ?? WS,
        thread_id: options.threadId ?? THREAD,
        turn_id: turnId,
        idempotency_key: options.key ?? `k${++keys}`,
        event,
      }),
    rows: (table, orderBy) => store.context.read((q) => readTableRows(q, table, orderBy)),
    cleanup: temp.cleanup,
  };
}

export const text = (t: string): TurnEventPayload => ({ type: 'turn.started', input: [{ type: 'text', text: t }] });

