import type { ChainHead } from './checkpoint-types.js';
import { readArchivedLink } from './retention/read-archive.js';
import type { JournalReader } from './types.js';

/**
 * One row per workspace: its newest event. A skip-scan over the (workspace_id, workspace_seq)
 * index: each step seeks the next workspace id and its max seq, so it costs O(workspaces ·
 * log events), not a scan of the journal; a checkpoint every few seconds stays cheap on a
 * file of millions of events. The same SQL runs on PostgreSQL.
 */
const HEADS = `WITH RECURSIVE ws(id) AS (
  SELECT min(workspace_id) FROM journal_event
  UNION ALL
  SELECT (SELECT min(workspace_id) FROM journal_event WHERE workspace_id > ws.id) FROM ws WHERE ws.id IS NOT NULL
)
SELECT e.workspace_id AS "workspaceId", e.workspace_seq AS "workspaceSeq", e.position AS position, e.hash AS hash
FROM ws JOIN journal_event e ON e.workspace_id = ws.id
  AND e.workspace_seq = (SELECT max(workspace_seq) FROM journal_event WHERE workspace_id = ws.id)
ORDER BY e.workspace_id`;

const LINK = 'SELECT position, hash FROM journal_event WHERE workspace_id = ? AND workspace_seq = ?';

/** Every workspace's chain head, ordered by workspace id. Read it inside one snapshot. */
export function readChainHeads(reader: JournalReader): Promise<ChainHead[]> {
  return reader.all<ChainHead>(HEADS);
}

/**
 * The event at `workspaceSeq` of a workspace (its position and hash), if the journal holds it,
 * or, with `archiveDir`, the archive segment that holds it once retention moved it there.
 */
export async function readChainLink(
  reader: JournalReader,
  workspaceId: string,
  workspaceSeq: number,
  archiveDir?: string,
): Promise<{ position: number; hash: string } | undefined> {
  const live = await reader.get<{ position: number; hash: string }>(LINK, [workspaceId, workspaceSeq]);
  if (live || archiveDir === undefined) return live;
  return readArchivedLink(reader, archiveDir, workspaceId, workspaceSeq);
}
