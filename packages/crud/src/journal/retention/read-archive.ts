import { CairnError } from '@cairn/protocol';
import { toJournalEvent } from '../journal-row.js';
import type { JournalEvent, JournalReader } from '../types.js';
import { walkArchive } from './walk-archive.js';

/**
 * Every archived event of every workspace with a retention point, checked as `verify` checks
 * them (a broken archive is `integrity_failed`, naming the segment), in position order: what a
 * rebuild replays before the live journal. Held in memory: one array of the archived events.
 */
export function readArchivedEvents(reader: JournalReader, archiveDir: string): JournalEvent[] {
  const points = reader.all<{ workspace_id: string; workspace_seq: number; hash: string }>('SELECT workspace_id, workspace_seq, hash FROM journal_retention ORDER BY workspace_id');
  const events: JournalEvent[] = [];
  for (const point of points) {
    const head = walkArchive(archiveDir, point.workspace_id, { upToSeq: point.workspace_seq, onRow: (row) => events.push(toJournalEvent(row)) });
    if ('reason' in head) throw new CairnError('integrity_failed', `the archive of a workspace is broken: ${head.detail}`, { details: { reason: head.reason, segment: head.segment } });
    if (head.seq !== point.workspace_seq || head.hash !== point.hash) {
      throw new CairnError('integrity_failed', `the archive of a workspace ends at seq ${head.seq}, before its retention point ${point.workspace_seq}`, { details: { reason: 'archive_mismatch' } });
    }
  }
  return events.sort((a, b) => a.position - b.position);
}
