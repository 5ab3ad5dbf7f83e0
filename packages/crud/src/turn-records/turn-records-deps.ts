import type { WriteContext } from '../port/types.js';
import type { EventLog } from '../event-log/types.js';
import type { JournalEvent } from '../journal/types.js';
import type { StoreContext } from '../store/store-context.js';

/** What the turn-record operations need besides the store context. */
export interface TurnRecordsDeps {
  /** Reads, writes, and the low-priority maintenance write (`tryWrite`). */
  context: StoreContext;
  /** The store's one event log: record events are turn-stream events. */
  events: EventLog;
}

/**
 * Appends one record event to the turn's stream through the event log, inside the caller's
 * job. The operations answer a repeat from the read model before they get here (`recorded:
 * false`, `conflict`), so the projector applies it and it is journaled.
 */
export async function appendRecordEvent(
  ctx: WriteContext,
  events: EventLog,
  workspaceId: string,
  turnId: string,
  payload: { type: string },
  recordedAt?: string,
): Promise<JournalEvent> {
  const [result] = await events.appendEvents(ctx, [{ workspaceId, streamType: 'turn', streamId: turnId, type: payload.type, payload, recordedAt }]);
  if (!result?.event) throw new Error(`${payload.type} answered ${result?.outcome}: the record's own check and its projector disagree`);
  return result.event;
}
