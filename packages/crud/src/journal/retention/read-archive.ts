import { CairnError } from '@cairn/protocol';
import { toJournalEvent } from '../journal-row.js';
import type { JournalEvent, JournalReader } from '../types.js';
import { listSegments, readSegment } from './archive-segment.js';
import { walkArchive } from './walk-archive.js';

export interface RetentionPoint {
  workspaceId: string;
  workspaceSeq: number;
  position: number;
  hash: string;
}

const RETENTION = 'SELECT workspace_id AS "workspaceId", workspace_seq AS "workspaceSeq", position, hash FROM journal_retention WHERE workspace_id = ?';

/** A workspace's retention point, if its oldest events have left the journal. */
export function readRetentionPoint(reader: JournalReader, workspaceId: string): Promise<RetentionPoint | undefined> {
  return reader.get<RetentionPoint>(RETENTION, [workspaceId]);
}

/**
 * The position and hash of an archived event (at or below its workspace's retention point), read
 * from the one segment that holds it; undefined when no segment does. It trusts that segment's
 * content: `verifyJournal({ archiveDir })` is what checks the archive's links.
 */
export async function readArchivedLink(
  reader: JournalReader,
  archiveDir: string,
  workspaceId: string,
  workspaceSeq: number,
): Promise<{ position: number; hash: string } | undefined> {
  const point = await readRetentionPoint(reader, workspaceId);
  if (!point || workspaceSeq > point.workspaceSeq) return undefined;
  if (workspaceSeq === point.workspaceSeq) return { position: point.position, hash: point.hash };
  const file = listSegments(archiveDir, workspaceId).find((f) => f.firstSeq <= workspaceSeq && workspaceSeq <= f.lastSeq);
  if (!file) return undefined;
  try {
    const row = readSegment(file).rows[workspaceSeq - file.firstSeq];
    return row?.workspace_seq === workspaceSeq ? { position: row.position, hash: row.hash } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every archived event of every workspace with a retention point, checked as `verify` checks
 * them (a broken archive is `integrity_failed`, naming the segment), in position order: what a
 * rebuild replays before the live journal. Held in memory: one array of the archived events.
 */
export async function readArchivedEvents(reader: JournalReader, archiveDir: string): Promise<JournalEvent[]> {
  const points = await reader.all<{ workspace_id: string; workspace_seq: number; hash: string }>('SELECT workspace_id, workspace_seq, hash FROM journal_retention ORDER BY workspace_id');
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
