import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from './journal-row.js';
import { assertCursor, assertLimit } from './read-limit.js';
import type { JournalEvent, JournalReader } from './types.js';

const SQL = `SELECT ${EVENT_COLUMNS} FROM journal_event
  WHERE workspace_id = ? AND workspace_seq > ? ORDER BY workspace_seq LIMIT ?`;

/**
 * A workspace's events after the resync cursor `afterSeq`, in `seq` order, at most `limit`:
 * what `sync/resume` replays. Fewer than `limit` events means the caller has reached the head.
 */
export function readWorkspaceAfter(reader: JournalReader, workspaceId: string, afterSeq: number, limit: number): JournalEvent[] {
  assertCursor('afterSeq', afterSeq);
  assertLimit(limit);
  return reader.all<JournalEventRow>(SQL, [workspaceId, afterSeq, limit]).map(toJournalEvent);
}
