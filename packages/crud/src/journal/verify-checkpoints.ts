import { readChainHeads, readChainLink } from './chain-heads.js';
import type { CheckpointFinding, CheckpointReport, RecordedCheckpoint, WorkspaceCheckpointStatus } from './checkpoint-types.js';
import { effectiveCheckpoints } from './effective-checkpoints.js';
import type { JournalReader } from './types.js';
import { workspaceHead } from './workspace-head.js';

/**
 * Compares the journal with checkpoints recorded outside it (their signatures already checked
 * by the source). For each workspace, the newest checkpoint in force must still be in the
 * journal: the event at its seq, with its hash. Because each hash covers the whole chain
 * before it, that one lookup vouches for every event of the workspace up to it, once
 * `verifyJournal` has found the chain itself unbroken. What it names:
 *
 * - `events_lost`: the workspace ends before the checkpoint (its tail was cut off);
 * - `workspace_missing`: the workspace has no event left at all;
 * - `events_rewritten`: the seq is there with another hash; the rewrite lies between the newest
 *   older checkpoint that still matches and this one;
 * - `checkpoint_forged`: a checkpoint whose signature does not verify (set aside, not trusted).
 *
 * Reads inside the caller's snapshot: run it in the same read transaction as `verifyJournal`
 * when both must describe one instant. Cost: a few index lookups per checkpoint in force. With
 * `archiveDir`, a checkpoint at or below a workspace's retention point is looked up in the
 * archive segment that holds its event.
 */
export async function verifyCheckpoints(
  reader: JournalReader,
  checkpoints: readonly RecordedCheckpoint[],
  options: { archiveDir?: string } = {},
): Promise<CheckpointReport> {
  const { archiveDir } = options;
  const effective = effectiveCheckpoints(checkpoints);
  const findings: CheckpointFinding[] = [];
  for (const c of effective.forged) {
    findings.push({
      reason: 'checkpoint_forged',
      workspaceId: c.workspaceId,
      checkpointId: c.checkpointId,
      checkpointSeq: c.workspaceSeq,
      journalSeq: await workspaceHead(reader, c.workspaceId),
      detail: `checkpoint #${c.checkpointId} (workspace ${c.workspaceId}, seq ${c.workspaceSeq}): signature ${c.signature === 'invalid' ? 'does not verify' : 'made with an unknown key'}; not trusted`,
    });
  }
  const workspaces: WorkspaceCheckpointStatus[] = [];
  for (const { workspaceId, inForce } of effective.workspaces.values()) {
    const newest = inForce[inForce.length - 1]!;
    const journalSeq = await workspaceHead(reader, workspaceId);
    const contained = await holds(reader, newest, archiveDir);
    workspaces.push({ workspaceId, newest, journalSeq, contained });
    if (!contained) findings.push(...(await judgeCheckpoints(reader, inForce, journalSeq, archiveDir)));
  }
  const anchored = new Set(effective.workspaces.keys());
  const unanchored = (await readChainHeads(reader))
    .map((h) => h.workspaceId)
    .filter((id) => !anchored.has(id));
  return {
    ok: findings.length === 0,
    checkpoints: checkpoints.length,
    workspaces: workspaces.sort((a, b) => (a.workspaceId < b.workspaceId ? -1 : 1)),
    findings,
    restores: effective.restores,
    unanchored,
  };
}

async function holds(reader: JournalReader, c: RecordedCheckpoint, archiveDir: string | undefined): Promise<boolean> {
  if (c.workspaceSeq === 0) return true; // a restore of a backup without this workspace
  return (await readChainLink(reader, c.workspaceId, c.workspaceSeq, archiveDir))?.hash === c.hash;
}

/** Why the newest checkpoint of a workspace is not in the journal: lost, missing, rewritten (or lost and rewritten). */
export async function judgeCheckpoints(
  reader: JournalReader,
  inForce: readonly RecordedCheckpoint[],
  journalSeq: number,
  archiveDir?: string,
): Promise<CheckpointFinding[]> {
  const newest = inForce[inForce.length - 1]!;
  const base = { workspaceId: newest.workspaceId, checkpointId: newest.checkpointId, checkpointSeq: newest.workspaceSeq, journalSeq };
  const findings: CheckpointFinding[] = [];
  if (journalSeq < newest.workspaceSeq) {
    const lost = { fromSeq: journalSeq + 1, toSeq: newest.workspaceSeq };
    findings.push({
      reason: journalSeq === 0 ? 'workspace_missing' : 'events_lost',
      ...base,
      lost,
      detail:
        journalSeq === 0
          ? `workspace ${newest.workspaceId} has no event, but checkpoint #${newest.checkpointId} (${newest.recordedAt}) recorded it at seq ${newest.workspaceSeq}: events 1..${newest.workspaceSeq} are gone`
          : `workspace ${newest.workspaceId} ends at seq ${journalSeq}, but checkpoint #${newest.checkpointId} (${newest.recordedAt}) recorded seq ${newest.workspaceSeq}: events ${lost.fromSeq}..${lost.toSeq} are gone`,
    });
  }
  // What is left must still be what was checkpointed.
  const span = await rewriteSpan(reader, inForce, journalSeq, archiveDir);
  if (span) {
    const { afterSeq, upTo } = span;
    findings.push({
      reason: 'events_rewritten',
      ...base,
      rewritten: { afterSeq, upToSeq: upTo.workspaceSeq },
      detail: `workspace ${upTo.workspaceId} holds seq ${upTo.workspaceSeq} with another hash than checkpoint #${upTo.checkpointId} (${upTo.recordedAt}) recorded: events after seq ${afterSeq} and at or before ${upTo.workspaceSeq} were rewritten`,
    });
  }
  return findings;
}

/**
 * The oldest checkpoint in force that the journal reaches but no longer holds, and the seq of
 * the newest one before it that it still holds (0 if none): the rewrite lies between the two.
 * In force, a workspace's checkpoints grow in seq with their id (a restore drops the greater ones).
 */
async function rewriteSpan(
  reader: JournalReader,
  inForce: readonly RecordedCheckpoint[],
  journalSeq: number,
  archiveDir: string | undefined,
): Promise<{ afterSeq: number; upTo: RecordedCheckpoint } | undefined> {
  let afterSeq = 0;
  for (const c of inForce) {
    if (c.workspaceSeq > journalSeq) break;
    if (!(await holds(reader, c, archiveDir))) return { afterSeq, upTo: c };
    afterSeq = c.workspaceSeq;
  }
  return undefined;
}
