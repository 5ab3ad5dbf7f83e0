import { readChainHeads, readChainLink } from './chain-heads.js';
import type { ChainHead, CheckpointFinding, CheckpointKind, CheckpointStore, RecordedCheckpoint } from './checkpoint-types.js';
import { effectiveCheckpoints } from './effective-checkpoints.js';
import type { JournalReader } from './types.js';
import { judgeCheckpoints } from './verify-checkpoints.js';
import { workspaceHead } from './workspace-head.js';

export interface JournalCheckpointOptions {
  /** Signs and keeps the heads outside gateway.db (the gateway passes the keystore's checkpoint log). */
  store: CheckpointStore;
  /** Record once this many events were appended through this store since the last checkpoint; 0: not by count. Default 1,000. */
  everyEvents?: number;
  /** Also look every this many milliseconds (catching appends of other processes too); 0: not by time. Default 60,000. */
  intervalMs?: number;
  /**
   * Hears, once per workspace, that the journal no longer holds its newest checkpoint (cut off,
   * deleted or rewritten while nobody looked). That workspace is not checkpointed again: signing
   * its new head would make the damage look legitimate. `cairn verify` reports it; a restore clears it.
   */
  onFinding?: (finding: CheckpointFinding) => void;
  /** Hears a checkpoint that could not be recorded (the store failed); the next one tries again. */
  onError?: (error: unknown) => void;
  /** Where retention archived the oldest events: a newest checkpoint at or below the retention point is looked up there. */
  archiveDir?: string;
}

export interface CheckpointOutcome {
  recorded: ChainHead[];
  /** Workspaces not checkpointed because the journal no longer holds their newest checkpoint. */
  refused: CheckpointFinding[];
}

export interface JournalCheckpointer {
  /** The journal's `onAppended` hook: counts events towards `everyEvents`. */
  noteAppended(workspaceId: string): void;
  /** Records the heads that moved since the last checkpoint, now (one at a time: calls queue). */
  checkpoint(kind?: CheckpointKind): Promise<CheckpointOutcome>;
  /** Stops the timer and records a `shutdown` checkpoint. Call after the last write committed. */
  close(): Promise<void>;
}

type Read = <T>(fn: (q: JournalReader) => Promise<T>) => Promise<T>;

/**
 * Decides when the journal's heads are checkpointed: at start (`startup`), every N appended
 * events or T ms (`interval`), and at close (`shutdown`). Only heads that moved are recorded,
 * read on the store's snapshot connection, so a checkpoint only ever names committed events.
 * Before a head is recorded, the journal must still hold the workspace's newest checkpoint
 * (one index lookup): a checkpointer never signs a head that continues a chain someone cut or
 * rewrote.
 */
export async function startJournalCheckpointer(read: Read, options: JournalCheckpointOptions): Promise<JournalCheckpointer> {
  const everyEvents = options.everyEvents ?? 1_000;
  const intervalMs = options.intervalMs ?? 60_000;
  const newest = new Map<string, RecordedCheckpoint>();
  for (const [workspaceId, { inForce }] of effectiveCheckpoints(await options.store.list({ newestPerWorkspace: true })).workspaces) newest.set(workspaceId, inForce[inForce.length - 1]!);
  const reported = new Set<string>();
  let pending = 0;
  let scheduled = false;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const run = async (kind: CheckpointKind): Promise<CheckpointOutcome> => {
    pending = 0;
    const { moved, refused } = await read((q) => survey(q, newest, options.archiveDir));
    for (const finding of refused) {
      if (reported.has(finding.workspaceId)) continue;
      reported.add(finding.workspaceId);
      options.onFinding?.(finding);
    }
    if (moved.length > 0) {
      for (const recorded of await options.store.record(moved, kind)) newest.set(recorded.workspaceId, recorded);
    }
    return { recorded: moved, refused };
  };
  const checkpoint = (kind: CheckpointKind = 'interval'): Promise<CheckpointOutcome> => {
    const next = queue.then(() => run(kind));
    queue = next.catch(() => undefined);
    return next;
  };
  const background = (kind: CheckpointKind): void => {
    checkpoint(kind).catch((error: unknown) => options.onError?.(error));
  };

  await checkpoint('startup');
  const timer = intervalMs > 0 ? setInterval(() => background('interval'), intervalMs) : undefined;
  timer?.unref();
  return {
    noteAppended() {
      if (closed || everyEvents <= 0 || ++pending < everyEvents || scheduled) return;
      scheduled = true;
      // After the current job: the transaction that counted this event commits first.
      setImmediate(() => {
        scheduled = false;
        background('interval');
      });
    },
    checkpoint,
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await checkpoint('shutdown');
    },
  };
}

/** The heads that moved past their newest checkpoint, and the workspaces whose newest checkpoint the journal lost. */
async function survey(
  q: JournalReader,
  newest: ReadonlyMap<string, RecordedCheckpoint>,
  archiveDir: string | undefined,
): Promise<{ moved: ChainHead[]; refused: CheckpointFinding[] }> {
  const heads = await readChainHeads(q);
  const moved: ChainHead[] = [];
  const refused: CheckpointFinding[] = [];
  const seen = new Set<string>();
  for (const head of heads) {
    seen.add(head.workspaceId);
    const last = newest.get(head.workspaceId);
    if (last && head.workspaceSeq === last.workspaceSeq && head.hash === last.hash) continue;
    if (last && last.workspaceSeq > 0 && !(head.workspaceSeq >= last.workspaceSeq && (await readChainLink(q, head.workspaceId, last.workspaceSeq, archiveDir))?.hash === last.hash)) {
      refused.push(...(await judgeCheckpoints(q, [last], head.workspaceSeq, archiveDir)));
      continue;
    }
    moved.push(head);
  }
  for (const [workspaceId, last] of newest) {
    if (!seen.has(workspaceId) && last.workspaceSeq > 0) refused.push(...(await judgeCheckpoints(q, [last], await workspaceHead(q, workspaceId), archiveDir)));
  }
  return { moved, refused };
}
