import { CairnError } from '@cairn/protocol';
import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from './journal-row.js';
import { assertCursor, assertLimit } from './read-limit.js';
import type { JournalEvent, JournalReader } from './types.js';

const SQL = `SELECT ${EVENT_COLUMNS} FROM journal_event
  WHERE workspace_id = ? AND workspace_seq > ? ORDER BY workspace_seq LIMIT ?`;

const RETAINED = 'SELECT workspace_seq AS seq FROM journal_retention WHERE workspace_id = ?';

/**
 * A workspace's events after the resync cursor `afterSeq`, in `seq` order, at most `limit`:
 * what `sync/resume` replays. Fewer than `limit` events means the caller has reached the head.
 * A cursor before the workspace's retention point (its older events were archived) is
 * `snapshot_required` (`details.retention_seq`): the client reloads the current state and
 * resumes from the head.
 */
export async function readWorkspaceAfter(reader: JournalReader, workspaceId: string, afterSeq: number, limit: number): Promise<JournalEvent[]> {
  assertCursor('afterSeq', afterSeq);
  assertLimit(limit);
  const point = (await reader.get<{ seq: number }>(RETAINED, [workspaceId]))?.seq ?? 0;
  if (afterSeq < point) {
    throw new CairnError('snapshot_required', `events 1..${point} of this workspace were archived by the retention policy; reload the current state and resume from the head`, { details: { retention_seq: point } });
  }
  return (await reader.all<JournalEventRow>(SQL, [workspaceId, afterSeq, limit])).map(toJournalEvent);
}
