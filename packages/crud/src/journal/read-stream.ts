import { CairnError } from '@cairn/protocol';
import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from './journal-row.js';
import { assertCursor, assertLimit } from './read-limit.js';
import type { JournalEvent, JournalReader, ReadStreamOptions, StreamType } from './types.js';

const SQL = `SELECT ${EVENT_COLUMNS} FROM journal_event
  WHERE stream_type = ? AND stream_id = ? AND stream_seq > ? ORDER BY stream_seq LIMIT ?`;

const RETAINED = 'SELECT stream_seq AS seq FROM journal_stream_retention WHERE stream_type = ? AND stream_id = ?';

/**
 * One stream's events in stream order (e.g. a turn's), after `afterStreamSeq`, at most `limit`.
 * Events the retention policy moved to the archive are not read here: asking for any of them
 * (`afterStreamSeq` before the stream's retained head) is `snapshot_required`.
 */
export async function readStream(
  reader: JournalReader,
  streamType: StreamType,
  streamId: string,
  options: ReadStreamOptions,
): Promise<JournalEvent[]> {
  const after = options.afterStreamSeq ?? 0;
  assertCursor('afterStreamSeq', after);
  assertLimit(options.limit);
  const retained = (await reader.get<{ seq: number }>(RETAINED, [streamType, streamId]))?.seq ?? 0;
  if (after < retained) {
    throw new CairnError('snapshot_required', `events 1..${retained} of this stream were archived by the retention policy; read its current state instead`, { details: { retained_stream_seq: retained } });
  }
  return (await reader.all<JournalEventRow>(SQL, [streamType, streamId, after, options.limit])).map(toJournalEvent);
}
