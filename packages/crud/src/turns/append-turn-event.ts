import { CairnError, type AppendOutcome, type TurnEventAppendResult, type TurnEventPayload } from '@cairn/protocol';
import type { WriteContext } from '@cairn/sqlite';
import { idempotencyDigest } from '../journal/idempotency-key.js';
import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from '../journal/journal-row.js';
import type { Projector } from '../journal/projector.js';
import { projectionViolation, provisionalEvent } from '../journal/provisional-event.js';
import type { Journal, JournalEvent } from '../journal/types.js';
import { holdStreamedText } from './hold-streamed-text.js';

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
 * The turn write path, inside one coordinator job: (1) every projector checks the event
 * against current state; (2) only if one would apply it is the event journaled; (3) every
 * projector applies it (the journaled, redacted payload). A key seen before answers the first
 * result wherever it is noticed (by the journal, or before reporting a no-op or a violation).
 * A violation at (1) throws before anything is written; one at (3) throws too, and the
 * coordinator rolls the job's savepoint back, journal row included. No-ops are not
 * journaled: the journal holds what changed state, so a rebuild replays exactly the applied
 * events.
 */
export function appendTurnEvent(ctx: WriteContext, journal: Journal, projectors: readonly Projector[], input: TurnEventInput): TurnEventAppendResult {
  const key = input.idempotencyKey;
  const payload = { ...holdStreamedText(ctx, journal, input.turnId, input.event), thread_id: input.threadId };
  const handling = projectors.filter((p) => p.handles(input.event.type));
  const fields = { workspaceId: input.workspaceId, streamType: 'turn' as const, streamId: input.turnId, type: input.event.type, payload, idempotencyKey: key, recordedAt: input.recordedAt };
  const provisional = provisionalEvent(fields);
  let noop: AppendOutcome | undefined;
  let applies = false;
  for (const projector of handling) {
    const checked = projector.check(ctx, provisional);
    if (checked.outcome === 'invariant_violation') {
      // A retry of an event that was applied may well be impossible now (an item started
      // after the turn it belonged to ended): its key answers before the violation does.
      const first = firstByKey(ctx, input);
      if (first) return first;
      throwViolation(projector, checked.reason, input);
    }
    if (checked.outcome === 'applied') applies = true;
    else noop ??= checked.outcome;
  }
  if (!applies) return firstByKey(ctx, input) ?? { position: null, seq: null, outcome: noop ?? 'noop_already_started', duplicate: false };

  // The journal redacts the payload and answers a key it has seen with the first event,
  // writing nothing: that is the duplicate check of the common path.
  const { event, duplicate } = journal.append(ctx, fields);
  if (duplicate) return firstResult(event, input);
  for (const projector of handling) {
    const applied = projector.apply(ctx, event);
    if (applied.outcome === 'invariant_violation') throwViolation(projector, applied.reason, input);
  }
  return { position: event.position, seq: event.workspaceSeq, outcome: 'applied', duplicate: false };
}

function firstByKey(ctx: WriteContext, input: TurnEventInput): TurnEventAppendResult | undefined {
  if (input.idempotencyKey === undefined) return undefined;
  const row = ctx.get<JournalEventRow>(BY_KEY, [input.workspaceId, idempotencyDigest(input.idempotencyKey)]);
  return row ? firstResult(toJournalEvent(row), input) : undefined;
}

function throwViolation(projector: Projector, reason: string, input: TurnEventInput): never {
  throw projectionViolation(projector, { type: input.event.type, streamId: input.turnId }, reason);
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
