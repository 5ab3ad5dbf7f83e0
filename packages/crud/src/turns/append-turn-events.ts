import type { AppendOutcome, TurnEventAppendEntryResult, TurnEventPayload } from '@cairn/protocol';
import type { WriteContext } from '../port/types.js';
import type { EventAppendResult, EventInput, EventLog } from '../event-log/types.js';

/** One turn event as the turn operations append it. */
export interface TurnEventInput {
  threadId: string;
  turnId: string;
  idempotencyKey?: string | undefined;
  event: TurnEventPayload;
}

/**
 * Turn events through the one event log, inside the caller's write job: 1..256 events of
 * `workspaceId`, all or nothing. The turn stream is the turn's id; the thread is an envelope
 * field of the journal (`thread_id` column), the payload is the runtime's event as sent.
 */
export async function appendTurnEvents(
  ctx: WriteContext,
  events: EventLog,
  workspaceId: string,
  inputs: readonly TurnEventInput[],
): Promise<TurnEventAppendEntryResult[]> {
  return (await events.appendEvents(ctx, inputs.map((input) => toEventInput(workspaceId, input)))).map(toWire);
}

export function toEventInput(workspaceId: string, input: TurnEventInput): EventInput {
  return {
    workspaceId,
    streamType: 'turn',
    streamId: input.turnId,
    type: input.event.type,
    threadId: input.threadId,
    payload: input.event,
    idempotencyKey: input.idempotencyKey,
  };
}

/** What `turn/event/append` answers for one event. */
export function toWire(result: EventAppendResult): TurnEventAppendEntryResult {
  if (result.event === null) return { position: null, seq: null, outcome: result.outcome, duplicate: false };
  return { position: result.event.position, seq: result.event.workspaceSeq, outcome: 'applied' satisfies AppendOutcome, duplicate: result.duplicate };
}
