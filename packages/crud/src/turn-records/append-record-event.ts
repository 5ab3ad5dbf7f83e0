import type { SqliteWriteCoordinator } from '@cairn/sqlite';
import type { ProjectionOutcome, Projector } from '../journal/projector.js';
import { projectionViolation, provisionalEvent } from '../journal/provisional-event.js';
import type { Journal, JournalEvent } from '../journal/types.js';
import type { StoreContext, WriteContext } from '../store/store-context.js';

/** What the turn-record operations need besides the store context. */
export interface TurnRecordsDeps {
  context: StoreContext;
  /** For the low-priority maintenance pass (`tryWrite`). */
  coordinator: SqliteWriteCoordinator;
  journal: Journal;
  /** Every projector of the turn stream (TurnProjector, TurnRecordsProjector, ...), in order. */
  projectors: () => readonly Projector[];
}

export interface RecordEventInput {
  workspaceId: string;
  turnId: string;
  type: string;
  payload: unknown;
  recordedAt: string;
}

/**
 * Appends one turn-record event and projects it, inside the caller's write job, the same way
 * the turn write path does: every projector that handles the type checks it first (a
 * violation throws before anything is written), then the event is journaled and every
 * projector applies it; a violation then throws too and the coordinator rolls the job back,
 * journal row included. Callers decide no-ops from the read models before calling, so this
 * always journals.
 */
export function appendRecordEvent(ctx: WriteContext, deps: Pick<TurnRecordsDeps, 'journal' | 'projectors'>, input: RecordEventInput): JournalEvent {
  const handling = deps.projectors().filter((p) => p.handles(input.type));
  const fields = { workspaceId: input.workspaceId, streamType: 'turn' as const, streamId: input.turnId, type: input.type, recordedAt: input.recordedAt };
  const provisional = provisionalEvent({ ...fields, payload: deps.journal.redact(input.payload) });
  for (const projector of handling) assertNoViolation(projector, projector.check(ctx, provisional), provisional);
  const { event } = deps.journal.append(ctx, { ...fields, payload: input.payload });
  for (const projector of handling) assertNoViolation(projector, projector.apply(ctx, event), event);
  return event;
}

function assertNoViolation(projector: Projector, outcome: ProjectionOutcome, event: JournalEvent): void {
  if (outcome.outcome === 'invariant_violation') throw projectionViolation(projector, event, outcome.reason);
}
