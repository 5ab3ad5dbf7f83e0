import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from './journal-row.js';
import { assertCursor, assertLimit } from './read-limit.js';
import type { JournalEvent, JournalReader, ReadStreamOptions, StreamType } from './types.js';

const SQL = `SELECT ${EVENT_COLUMNS} FROM journal_event
  WHERE stream_type = ? AND stream_id = ? AND stream_seq > ? ORDER BY stream_seq LIMIT ?`;

/** One stream's events in stream order (e.g. a turn's), after `afterStreamSeq`, at most `limit`. */
export function readStream(
  reader: JournalReader,
  streamType: StreamType,
  streamId: string,
  options: ReadStreamOptions,
): JournalEvent[] {
  const after = options.afterStreamSeq ?? 0;
  assertCursor('afterStreamSeq', after);
  assertLimit(options.limit);
  return reader.all<JournalEventRow>(SQL, [streamType, streamId, after, options.limit]).map(toJournalEvent);
}
