import { CairnError, EVENT_BATCH_MAX, hasErrorCode } from '@cairn/protocol';
import type { WriteContext } from '../port/types.js';
import { assertEventInput, pendingEvent } from '../journal/create-journal.js';
import { idempotencyDigest } from '../journal/idempotency-key.js';
import type { Journal, JournalEvent, PendingEvent } from '../journal/types.js';
import type { EventAppendResult, EventInput, EventStream, NoopOutcome, Projector } from './types.js';

/** A stream as the event log dispatches it: its prepare hook, and its projectors by event type. */
export interface RegisteredStream {
  prepare?: EventStream['prepare'];
  readonly byType: ReadonlyMap<string, readonly Projector[]>;
}

const NONE: readonly Projector[] = [];

/**
 * The one append path, for every stream, inside the caller's write job. Per event, in order:
 * check the input; prepare the payload (the stream's hook) and redact it ONCE; let every
 * projector that handles the type decide on that redacted event; if one applies, place the
 * event in the journal and run the applied writes with it. No-ops are not journaled: the
 * journal holds what changed state, so a rebuild replays exactly the applied events. An event
 * no projector handles is a plain fact and is journaled. A key seen before answers the first
 * result wherever it is noticed (before a no-op or a refusal is reported, or when the journal
 * refuses the reused key), and is `conflict` when that result was another event. A refusal
 * throws, naming the event's index; the write job rolls back whole, so a batch
 * commits all or nothing.
 */
export async function appendEvents(
  ctx: WriteContext,
  journal: Journal,
  streams: ReadonlyMap<string, RegisteredStream>,
  inputs: readonly EventInput[],
): Promise<EventAppendResult[]> {
  assertBatch(inputs);
  // A batch holds one workspace's events: from here to COMMIT nobody else appends to it (a
  // no-op on SQLite, whose one write lock the job already holds).
  await ctx.dialect.lockWorkspace(ctx, inputs[0]!.workspaceId);
  const results = new Array<EventAppendResult>(inputs.length);
  for (let index = 0; index < inputs.length; index++) {
    results[index] = await appendOne(ctx, journal, streams, inputs[index]!, index, inputs.length);
  }
  return results;
}

async function appendOne(
  ctx: WriteContext,
  journal: Journal,
  streams: ReadonlyMap<string, RegisteredStream>,
  input: EventInput,
  index: number,
  size: number,
): Promise<EventAppendResult> {
  try {
    assertEventInput(input);
  } catch (error) {
    throw atIndex(error, index, size);
  }
  const stream = streams.get(input.streamType);
  if (!stream) throw new CairnError('invalid_params', `${at(index, size)}no stream ${input.streamType} is registered`, { details: { index } });
  const key = input.idempotencyKey === undefined ? null : idempotencyDigest(input.idempotencyKey);
  const payload = stream.prepare ? await stream.prepare(ctx, input) : input.payload;
  const pending = pendingEvent(input, journal.redact(payload), key, input.recordedAt ?? journal.now());
  const projectors = stream.byType.get(input.type) ?? NONE;
  let writes: Array<(placed: JournalEvent) => Promise<void>> | undefined;
  let noop: NoopOutcome | undefined;
  let refused: { projector: Projector; reason: string } | undefined;
  for (const projector of projectors) {
    const decision = await projector.decide(ctx, pending);
    if (decision.outcome === 'applied') (writes ??= []).push(decision.write);
    else if (decision.outcome === 'invariant_violation') {
      refused = { projector, reason: decision.reason };
      break;
    } else noop ??= decision.outcome;
  }
  if (refused || (noop !== undefined && writes === undefined)) {
    // A retry of an event that was applied may well be a no-op or impossible now (an item
    // started after its turn ended): its key answers before the no-op or refusal does.
    const first = key === null ? undefined : await journal.findByKey(ctx, input.workspaceId, key);
    if (first) return firstResult(first, input, index, size);
    if (refused) throw refusal(refused.projector, pending, refused.reason, index, size);
    return { outcome: noop!, event: null, duplicate: false };
  }
  let event: JournalEvent;
  try {
    event = await journal.place(ctx, pending);
  } catch (error) {
    // The applied path does not look the key up beforehand (one indexed read per event saved):
    // the journal's unique key refuses a reused one, and only then is its first use read. This
    // needs a refused insert to leave the transaction usable: the dialect's
    // `journalKeyConflict` or `journalKeyLookupFirst` promises it (SQLite: the trigger's RAISE(ABORT) undoes that
    // statement only; PostgreSQL: `journalKeyLookupFirst`, a lookup inside `place`, reported as the same throw).
    const first = key === null ? undefined : await journal.findByKey(ctx, input.workspaceId, key);
    if (first) return firstResult(first, input, index, size);
    throw error;
  }
  if (writes) for (const write of writes) await write(event);
  return { outcome: 'applied', event, duplicate: false };
}

function assertBatch(inputs: readonly EventInput[]): void {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new CairnError('invalid_params', 'a batch holds 1 to 256 events; this one is empty', { details: { size: 0, limit: EVENT_BATCH_MAX } });
  }
  if (inputs.length > EVENT_BATCH_MAX) {
    throw new CairnError('invalid_params', `a batch holds at most ${EVENT_BATCH_MAX} events; this one has ${inputs.length}`, {
      details: { size: inputs.length, limit: EVENT_BATCH_MAX },
    });
  }
  const workspaceId = inputs[0]!.workspaceId;
  const other = inputs.findIndex((input) => input.workspaceId !== workspaceId);
  if (other >= 0) {
    throw new CairnError('invalid_params', `a batch holds the events of one workspace; event ${other} names another`, { details: { index: other } });
  }
}

/**
 * The answer the key's first use got. The same key on another stream or event type is a
 * client bug: `conflict` (the key itself is not repeated in the error: it may be anything).
 */
function firstResult(first: JournalEvent, input: EventInput, index: number, size: number): EventAppendResult {
  if (first.streamType !== input.streamType || first.streamId !== input.streamId || first.type !== input.type) {
    throw new CairnError('conflict', `${at(index, size)}idempotency key already used for another event`, {
      details: { index, stream_type: input.streamType, stream_id: input.streamId, type: input.type },
    });
  }
  return { outcome: 'applied', event: first, duplicate: true };
}

function refusal(projector: Projector, event: PendingEvent, reason: string, index: number, size: number): CairnError {
  return new CairnError('invariant_violation', `${at(index, size)}${event.type} refused: ${reason}`, {
    details: { index, projector: projector.name, stream_type: event.streamType, stream_id: event.streamId, type: event.type, reason },
  });
}

/** Message prefix naming the event of a batch; a batch of one reads as a single append. */
function at(index: number, size: number): string {
  return size > 1 ? `event ${index} of the batch: ` : '';
}

function atIndex(error: unknown, index: number, size: number): unknown {
  if (!hasErrorCode(error, 'invalid_params')) return error;
  return new CairnError('invalid_params', `${at(index, size)}${error.message}`, { details: { ...error.details, index }, cause: error });
}
