import { CairnError } from '@cairn/protocol';
import { idempotencyDigest } from './idempotency-key.js';
import type { Projector } from './projector.js';
import type { JournalEvent, JournalEventInput } from './types.js';

/**
 * The event as projectors see it in `check`, before the journal has placed it: positions,
 * sequences and hashes are not known until `append`, and no check may depend on them.
 */
export function provisionalEvent(input: Omit<JournalEventInput, 'recordedAt'> & { recordedAt: string }): JournalEvent {
  return {
    position: 0,
    workspaceId: input.workspaceId,
    workspaceSeq: 0,
    streamType: input.streamType,
    streamId: input.streamId,
    streamSeq: 0,
    threadId: input.threadId ?? null,
    type: input.type,
    payload: input.payload,
    idempotencyKey: input.idempotencyKey === undefined ? null : idempotencyDigest(input.idempotencyKey),
    recordedAt: input.recordedAt,
    prevHash: '',
    hash: '',
  };
}

/** The error every write path throws when a projector refuses an event: nothing was written. */
export function projectionViolation(projector: Projector, event: { type: string; streamId: string }, reason: string): CairnError {
  return new CairnError('invariant_violation', `${event.type} refused: ${reason}`, {
    details: { projector: projector.name, type: event.type, turn_id: event.streamId, reason },
  });
}
