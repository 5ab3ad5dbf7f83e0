import type { SqliteWriteCoordinator, WriteContext } from '@cairn/sqlite';
import type { EventLog } from '../event-log/types.js';
import type { JournalEvent } from '../journal/types.js';
import type { StoreContext } from '../store/store-context.js';

/** What the turn-record operations need besides the store context. */
export interface TurnRecordsDeps {
  context: StoreContext;
  /** For the low-priority maintenance pass (`tryWrite`). */
  coordinator: SqliteWriteCoordinator;
  /** The store's one event log: record events are turn-stream events. */
  events: EventLog;
}

/**
 * Appends one record event to the turn's stream through the event log, inside the caller's
 * job. The operations answer a repeat from the read model before they get here (`recorded:
 * false`, `conflict`), so the projector applies it and it is journaled.
 */
export function appendRecordEvent(ctx: WriteContext, events: EventLog, workspaceId: string, turnId: string, payload: { type: string }, recordedAt?: string): JournalEvent {
  const [result] = events.appendEvents(ctx, [{ workspaceId, streamType: 'turn', streamId: turnId, type: payload.type, payload, recordedAt }]);
  if (!result?.event) throw new Error(`${payload.type} answered ${result?.outcome}: the record's own check and its projector disagree`);
  return result.event;
}
