import { CairnError } from '@cairn/protocol';
import type { SqliteWriteCoordinator } from '@cairn/sqlite';
import type { ProjectionOutcome, Projector } from '../journal/projector.js';
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
  const provisional: JournalEvent = {
    position: 0,
    workspaceId: input.workspaceId,
    workspaceSeq: 0,
    streamType: 'turn',
    streamId: input.turnId,
    streamSeq: 0,
    type: input.type,
    payload: deps.journal.redact(input.payload),
    idempotencyKey: null,
    recordedAt: input.recordedAt,
    prevHash: '',
    hash: '',
  };
  for (const projector of handling) assertNoViolation(projector, projector.check(ctx, provisional), input);
  const { event } = deps.journal.append(ctx, {
    workspaceId: input.workspaceId,
    streamType: 'turn',
    streamId: input.turnId,
    type: input.type,
    payload: input.payload,
    recordedAt: input.recordedAt,
  });
  for (const projector of handling) assertNoViolation(projector, projector.apply(ctx, event), input);
  return event;
}

function assertNoViolation(projector: Projector, outcome: ProjectionOutcome, input: RecordEventInput): void {
  if (outcome.outcome !== 'invariant_violation') return;
  throw new CairnError('invariant_violation', `${input.type} refused: ${outcome.reason}`, {
    details: { projector: projector.name, type: input.type, turn_id: input.turnId, reason: outcome.reason },
  });
}
