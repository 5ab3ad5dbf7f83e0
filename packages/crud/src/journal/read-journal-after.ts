import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from './journal-row.js';
import { assertCursor, assertLimit } from './read-limit.js';
import type { JournalEvent, JournalReader } from './types.js';

const SQL = `SELECT ${EVENT_COLUMNS} FROM journal_event WHERE position > ? ORDER BY position LIMIT ?`;

/** Every workspace's events after `afterPosition` in global order: what a read-model rebuild replays. */
export async function readJournalAfter(reader: JournalReader, afterPosition: number, limit: number): Promise<JournalEvent[]> {
  assertCursor('afterPosition', afterPosition);
  assertLimit(limit);
  return (await reader.all<JournalEventRow>(SQL, [afterPosition, limit])).map(toJournalEvent);
}
