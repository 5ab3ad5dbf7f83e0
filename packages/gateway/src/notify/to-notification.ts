import type { JournalEvent } from '@cairn/crud';
import { NOTIFICATION_OF_EVENT, type NotificationName } from '@cairn/protocol';

export interface OutboundNotification {
  method: NotificationName;
  params: Record<string, unknown>;
}

const MAPPED: Readonly<Record<string, NotificationName | null>> = NOTIFICATION_OF_EVENT;

/**
 * The notification a journaled event becomes, or null (an event type `NOTIFICATION_OF_EVENT`
 * keeps off the wire, a delta whose text is all held back). The journal holds only released,
 * redacted text, so what a client sees is what the journal proves. Unknown event types (a newer
 * gateway's, on a shared PostgreSQL) are skipped, not guessed at.
 */
export function toNotification(event: JournalEvent): OutboundNotification | null {
  const method = MAPPED[event.type];
  if (!method) return null;
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  const envelope = { workspace_id: event.workspaceId, seq: event.workspaceSeq, recorded_at: event.recordedAt };
  if (event.streamType === 'thread') {
    return { method, params: { ...envelope, thread_id: event.streamId, thread: payload.thread } };
  }
  const { type: _type, held: _held, ...fields } = payload;
  // Artifact events: routed by the thread the artifact is bound to (if any); the stream id is the artifact's, not a turn's.
  if (event.streamType === 'artifact') {
    // A binding naming no thread (workspace, task) has no thread/artifacts/changed to send.
    if (event.type === 'artifact.bound' && event.threadId === null) return null;
    return { method, params: { ...envelope, thread_id: event.threadId, ...fields } };
  }
  if (event.type === 'item.agent_message.delta' && fields.delta === '') return null;
  const params: Record<string, unknown> = { ...envelope, thread_id: event.threadId, turn_id: event.streamId, ...fields };
  if (event.type === 'turn.completed') params.status = 'completed';
  if (event.type === 'turn.cancelled') params.status = 'cancelled';
  return { method, params };
}
