import type { JournalEvent, StreamType } from './types.js';

/** The columns every read selects, in a fixed order. */
export const EVENT_COLUMNS =
  'position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload, idempotency_key, recorded_at, prev_hash, hash, thread_id';

export interface JournalEventRow {
  position: number;
  workspace_id: string;
  workspace_seq: number;
  stream_type: string;
  stream_id: string;
  stream_seq: number;
  type: string;
  payload: string;
  idempotency_key: string | null;
  recorded_at: string;
  prev_hash: string;
  hash: string;
  thread_id: string | null;
}

/** A stored row as the plain record callers get (payload parsed back from its canonical text). */
export function toJournalEvent(row: JournalEventRow): JournalEvent {
  return {
    position: row.position,
    workspaceId: row.workspace_id,
    workspaceSeq: row.workspace_seq,
    streamType: row.stream_type as StreamType,
    streamId: row.stream_id,
    streamSeq: row.stream_seq,
    threadId: row.thread_id,
    type: row.type,
    payload: JSON.parse(row.payload) as unknown,
    idempotencyKey: row.idempotency_key,
    recordedAt: row.recorded_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
