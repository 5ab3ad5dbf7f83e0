import { hasErrorCode } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { AttachmentStore } from '../../attachments/attachment-store.js';
import { createEventLog } from '../../event-log/create-event-log.js';
import type { EventLog, NoopOutcome, Projector } from '../../event-log/types.js';
import { createJournal } from '../../journal/create-journal.js';
import type { Journal, JournalEvent } from '../../journal/types.js';
import { RecoveryJobProjector } from '../../recovery-jobs/recovery-job-projector.js';
import { RecoveryJobStore } from '../../recovery-jobs/recovery-job-store.js';
import type { CrudStore } from '../../store/crud-store.js';
import { manualClock, type ManualClock } from '../../testing/manual-clock.js';
import { openTempStore, type TempStore } from '../../testing/temp-store.js';
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

/** What projecting one event did, over every projector of the fixture's log that handles it. */
export type Projected = { outcome: 'applied' } | { outcome: NoopOutcome } | { outcome: 'invariant_violation'; reason: string };

/**
 * A real gateway.db (all migrations) with two workspaces and a thread in each, and an event
 * log whose turn stream has the turn-record and recovery-job projectors only, with
 * given/when helpers that append an event through it (journaled and projected in one
 * coordinator job). Turns are seeded as rows (the TurnProjector's read model), so these tests
 * do not depend on the turn projector.
 */
export interface RecordsFixture {
  temp: TempStore;
  store: CrudStore;
  clock: ManualClock;
  journal: Journal;
  /** TurnRecordsProjector, then RecoveryJobProjector. */
  projectors: readonly Projector[];
  log: EventLog;
  records: TurnRecordsStore;
  recoveryJobs: RecoveryJobStore;
  attachments: AttachmentStore;
  seedTurn(turnId: string, options?: { workspaceId?: string; threadId?: string; status?: string; completedAt?: string | null }): Promise<void>;
  setTurnStatus(turnId: string, status: string, completedAt: string | null): Promise<void>;
  /** Appends each event; throws unless every one is `applied`. */
  given(...events: EventSpec[]): Promise<JournalEvent[]>;
  /** Appends one event; answers what the projectors decided (a refusal as its outcome, not a throw). */
  when(event: EventSpec): Promise<Projected>;
  /** Projects an already journaled event again (a replay, as a rebuild does), in its own job. */
  replay(event: JournalEvent): Promise<Projected>;
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  cleanup(): Promise<void>;
}

export async function openRecordsFixture(): Promise<RecordsFixture> {
  const clock = manualClock(Date.parse('2025-03-01T00:00:00.000Z'));
  const temp = await openTempStore({ clock });
  const store = temp.store;
  const journal = createJournal({ now: () => clock().toISOString() });
  const projectors = [new TurnRecordsProjector(), new RecoveryJobProjector()];
  const log = createEventLog({ journal, streams: [{ streamType: 'turn', projectors }] });
  for (const [workspace_id, thread_id] of [
    [WS, THREAD],
    [OTHER_WS, OTHER_THREAD],
  ] as const) {
    await store.workspaces.create({ workspace_id, name: workspace_id });
    await store.threads.start({ workspace_id, thread_id });
  }
  let threadSeq = 0;

  const project = async (spec: EventSpec): Promise<{ event: JournalEvent | null; outcome: Projected }> => {
    try {
      return await store.context.write(async (ctx) => {
        const [result] = await log.appendEvents(ctx, [
          {
            workspaceId: spec.workspaceId ?? WS,
            streamType: 'turn',
            streamId: spec.turnId,
            type: spec.type,
            payload: { type: spec.type, ...spec.payload },
            recordedAt: spec.at ?? clock().toISOString(),
          },
        ]);
        return { event: result!.event, outcome: { outcome: result!.outcome } };
      });
    } catch (error) {
      if (!hasErrorCode(error, 'invariant_violation')) throw error;
      return { event: null, outcome: { outcome: 'invariant_violation', reason: String(error.details?.reason) } };
    }
  };

  const replay = async (ctx: WriteContext, event: JournalEvent): Promise<Projected> => {
    const writes: Array<(placed: JournalEvent) => Promise<void>> = [];
    let noop: NoopOutcome | undefined;
    for (const projector of log.projectorsFor(event.streamType, event.type)) {
      const decision = await projector.decide(ctx, event);
      if (decision.outcome === 'invariant_violation') return decision;
      if (decision.outcome === 'applied') writes.push(decision.write);
      else noop ??= decision.outcome;
    }
    for (const write of writes) await write(event);
    return writes.length > 0 || noop === undefined ? { outcome: 'applied' } : { outcome: noop };
  };

  const context = store.context;
  const redact = journal.redact;
  return {
    temp,
    store,
    clock,
    journal,
    projectors,
    log,
    records: new TurnRecordsStore({ context, events: log }),
    recoveryJobs: new RecoveryJobStore({ context, redact }),
    attachments: new AttachmentStore({ context, redact }),
    async seedTurn(turnId, o = {}) {
      const at = clock().toISOString();
      const status = o.status ?? 'running';
      await store.context.write((ctx) =>
        ctx.run(
          `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, item_count, open_recoveries, last_seq, started_at, updated_at, completed_at)
           VALUES (?, ?, ?, ?, ?, 0, 0, 1, ?, ?, ?)`,
          [turnId, o.workspaceId ?? WS, o.threadId ?? THREAD, ++threadSeq, status, at, at, o.completedAt ?? (status === 'running' ? null : at)],
        ),
      );
    },
    async setTurnStatus(turnId, status, completedAt) {
      await store.context.write((ctx) => ctx.run('UPDATE turn SET status = ?, completed_at = ? WHERE turn_id = ?', [status, completedAt, turnId]));
    },
    async given(...events) {
      const out: JournalEvent[] = [];
      for (const spec of events) {
        const { event, outcome } = await project(spec);
        if (outcome.outcome !== 'applied' || !event) throw new Error(`given ${spec.type}: ${JSON.stringify(outcome)}`);
        out.push(event);
      }
      return out;
    },
    async when(spec) {
      return (await project(spec)).outcome;
    },
    replay(event) {
      return store.context.write((ctx) => replay(ctx, event));
    },
    rows(sql, params = []) {
      return store.context.read((q) => q.all(sql, params));
    },
    cleanup: () => temp.cleanup(),
  };
}
