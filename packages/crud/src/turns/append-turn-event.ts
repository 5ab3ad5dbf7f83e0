import { CairnError, type AppendOutcome, type TurnEventAppendResult, type TurnEventPayload } from '@cairn/protocol';
import type { WriteContext } from '@cairn/sqlite';
import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from '../journal/journal-row.js';
import type { ProjectionOutcome, Projector } from '../journal/projector.js';
import type { Journal, JournalEvent } from '../journal/types.js';

export interface TurnEventInput {
  workspaceId: string;
  threadId: string;
  turnId: string;
  idempotencyKey?: string | undefined;
  event: TurnEventPayload;
  /** ISO-8601 UTC, taken inside the write job so that time order follows journal order. */
  recordedAt: string;
}

const BY_KEY = `SELECT ${EVENT_COLUMNS} FROM journal_event WHERE workspace_id = ? AND idempotency_key = ?`;

/**
 * The turn write path, inside one coordinator job: (1) a key seen before answers the first
 * result; (2) every projector checks the event against current state; (3) only if one would
 * apply it is the event journaled; (4) every projector applies it. A violation at (2) throws
 * before anything is written; one at (4) throws too, and the coordinator rolls the job's
 * savepoint back, journal row included. No-ops are not journaled: the journal holds what
 * changed state, so a rebuild replays exactly the applied events.
 */
export function appendTurnEvent(ctx: WriteContext, journal: Journal, projectors: readonly Projector[], input: TurnEventInput): TurnEventAppendResult {
  const key = input.idempotencyKey;
  if (key !== undefined) {
    const row = ctx.get<JournalEventRow>(BY_KEY, [input.workspaceId, key]);
    if (row) return firstResult(toJournalEvent(row), input);
  }
  const payload = { ...input.event, thread_id: input.threadId };
  const handling = projectors.filter((p) => p.handles(input.event.type));
  const provisional: JournalEvent = {
    position: 0,
    workspaceId: input.workspaceId,
    workspaceSeq: 0,
    streamType: 'turn',
    streamId: input.turnId,
    streamSeq: 0,
    type: input.event.type,
    payload,
    idempotencyKey: key ?? null,
    recordedAt: input.recordedAt,
    prevHash: '',
    hash: '',
  };
  let noop: AppendOutcome | undefined;
  let applies = false;
  for (const projector of handling) {
    const checked = projector.check(ctx, provisional);
    assertNoViolation(projector, checked, input);
    if (checked.outcome === 'applied') applies = true;
    else noop ??= checked.outcome;
  }
  if (!applies) return { position: null, seq: null, outcome: noop ?? 'noop_already_started', duplicate: false };

  const { event, duplicate } = journal.append(ctx, {
    workspaceId: input.workspaceId,
    streamType: 'turn',
    streamId: input.turnId,
    type: input.event.type,
    payload,
    idempotencyKey: key,
    recordedAt: input.recordedAt,
  });
  if (duplicate) return firstResult(event, input);
  for (const projector of handling) assertNoViolation(projector, projector.apply(ctx, event), input);
  return { position: event.position, seq: event.workspaceSeq, outcome: 'applied', duplicate: false };
}

function assertNoViolation(
  projector: Projector,
  outcome: ProjectionOutcome,
  input: TurnEventInput,
): asserts outcome is Exclude<ProjectionOutcome, { outcome: 'invariant_violation' }> {
  if (outcome.outcome !== 'invariant_violation') return;
  throw new CairnError('invariant_violation', `${input.event.type} refused: ${outcome.reason}`, {
    details: { projector: projector.name, type: input.event.type, turn_id: input.turnId, reason: outcome.reason },
  });
}

/** The answer the key's first use got. The same key on another turn or event type is a client bug: `conflict`. */
function firstResult(event: JournalEvent, input: TurnEventInput): TurnEventAppendResult {
  if (event.streamType !== 'turn' || event.streamId !== input.turnId || event.type !== input.event.type) {
    throw new CairnError('conflict', 'idempotency key already used for another event', {
      details: { idempotency_key: input.idempotencyKey, turn_id: input.turnId, type: input.event.type },
    });
  }
  return { position: event.position, seq: event.workspaceSeq, outcome: 'applied', duplicate: true };
}
