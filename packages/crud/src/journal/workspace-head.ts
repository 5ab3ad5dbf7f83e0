import type { JournalReader } from './types.js';

const SQL = 'SELECT max(workspace_seq) AS seq FROM journal_event WHERE workspace_id = ?';

/** The workspace's latest `seq` (0 when it has no events): the cursor a fresh subscriber starts from. */
export async function workspaceHead(reader: JournalReader, workspaceId: string): Promise<number> {
  return (await reader.get<{ seq: number | null }>(SQL, [workspaceId]))?.seq ?? 0;
}
