import { createJournal } from '../../journal/create-journal.js';
import type { ProjectionOutcome, Projector } from '../../journal/projector.js';
import type { Journal, JournalEvent } from '../../journal/types.js';
import type { CrudStore } from '../../store/crud-store.js';
import { manualClock, type ManualClock } from '../../testing/manual-clock.js';
import { openTempStore, type TempStore } from '../../testing/temp-store.js';
import type { TurnRecordsDeps } from '../append-record-event.js';
import { TurnRecordsProjector } from '../turn-records-projector.js';
import { TurnRecordsStore } from '../turn-records-store.js';

export const WS = 'ws-1';
export const OTHER_WS = 'ws-2';
export const THREAD = 'thr-1';
export const OTHER_THREAD = 'thr-2';

export interface EventSpec {
  turnId: string;
  type: string;
  payload: Record<string, unknown>;
  workspaceId?: string;
  at?: string;
}

/**
 * A real gateway.db (all migrations) with two workspaces and a thread in each, the
 * TurnRecordsProjector on its own, and given/when helpers that journal an event and project
 * it in one coordinator job. Turns are seeded as rows (the TurnProjector's read model), so
 * these tests do not depend on the turn write path.
 */
export interface RecordsFixture {
  temp: TempStore;
  store: CrudStore;
  clock: ManualClock;
  journal: Journal;
  projector: TurnRecordsProjector;
  deps: TurnRecordsDeps;
  records: TurnRecordsStore;
  seedTurn(turnId: string, options?: { workspaceId?: string; threadId?: string; status?: string; completedAt?: string | null }): Promise<void>;
  setTurnStatus(turnId: string, status: string, completedAt: string | null): Promise<void>;
  /** Journals and projects each event; throws unless every projection is `applied`. */
  given(...events: EventSpec[]): Promise<JournalEvent[]>;
  /** Journals and projects one event; answers what the projector said. */
  when(event: EventSpec): Promise<ProjectionOutcome>;
  /** Projects an already journaled event again (a replay), in its own job. */
  replay(event: JournalEvent): Promise<ProjectionOutcome>;
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  cleanup(): Promise<void>;
}

export async function openRecordsFixture(options: { projectors?: (own: TurnRecordsProjector) => readonly Projector[] } = {}): Promise<RecordsFixture> {
  const clock = manualClock(Date.parse('2025-03-01T00:00:00.000Z'));
  const temp = await openTempStore({ clock });
  const store = temp.store;
  const journal = createJournal({ now: () => clock().toISOString() });
  const projector = new TurnRecordsProjector();
  const projectors = options.projectors?.(projector) ?? [projector];
  const deps: TurnRecordsDeps = { context: store.context, coordinator: store.coordinator, journal, projectors: () => projectors };
  for (const [workspace_id, thread_id] of [
    [WS, THREAD],
    [OTHER_WS, OTHER_THREAD],
  ] as const) {
    await store.workspaces.create({ workspace_id, name: workspace_id });
    await store.threads.start({ workspace_id, thread_id });
  }
  let threadSeq = 0;

  const project = (spec: EventSpec) =>
    store.coordinator.write((ctx) => {
      const { event } = journal.append(ctx, {
        workspaceId: spec.workspaceId ?? WS,
        streamType: 'turn',
        streamId: spec.turnId,
        type: spec.type,
        payload: { type: spec.type, ...spec.payload },
        recordedAt: spec.at ?? clock().toISOString(),
      });
      return { event, outcome: projector.apply(ctx, event) };
    });

  return {
    temp,
    store,
    clock,
    journal,
    projector,
    deps,
    records: new TurnRecordsStore(deps),
    async seedTurn(turnId, o = {}) {
      const at = clock().toISOString();
      const status = o.status ?? 'running';
      await store.coordinator.write((ctx) =>
        ctx.run(
          `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, item_count, open_recoveries, last_seq, started_at, updated_at, completed_at)
           VALUES (?, ?, ?, ?, ?, 0, 0, 1, ?, ?, ?)`,
          [turnId, o.workspaceId ?? WS, o.threadId ?? THREAD, ++threadSeq, status, at, at, o.completedAt ?? (status === 'running' ? null : at)],
        ),
      );
    },
    async setTurnStatus(turnId, status, completedAt) {
      await store.coordinator.write((ctx) => ctx.run('UPDATE turn SET status = ?, completed_at = ? WHERE turn_id = ?', [status, completedAt, turnId]));
    },
    async given(...events) {
      const out: JournalEvent[] = [];
      for (const spec of events) {
        const { event, outcome } = await project(spec);
        if (outcome.outcome !== 'applied') throw new Error(`given ${spec.type}: ${JSON.stringify(outcome)}`);
        out.push(event);
      }
      return out;
    },
    async when(spec) {
      return (await project(spec)).outcome;
    },
    replay(event) {
      return store.coordinator.write((ctx) => projector.apply(ctx, event));
    },
    rows(sql, params = []) {
      return store.context.read((q) => q.all(sql, params));
    },
    cleanup: () => temp.cleanup(),
  };
}
