import type { RecordedCheckpoint, RestoreMarker } from './checkpoint-types.js';

/** What the checkpoints of one workspace say, once forged ones are set aside and restores applied. */
export interface WorkspaceCheckpoints {
  workspaceId: string;
  /** Valid and not superseded, oldest first: every one of them must still be in the journal. */
  inForce: RecordedCheckpoint[];
}

export interface EffectiveCheckpoints {
  workspaces: Map<string, WorkspaceCheckpoints>;
  /** Checkpoints whose signature does not verify. */
  forged: RecordedCheckpoint[];
  restores: RestoreMarker[];
}

/**
 * Sorts checkpoints into what is in force. A restore marker records the heads of the backup
 * it restored: every earlier checkpoint of the same workspace with a greater seq described
 * events the restore legitimately dropped, so it is superseded (the events after the
 * backup's head are new ones, with other hashes). Earlier checkpoints at or below the
 * backup's head stay in force: the backup must still hold those events.
 */
export function effectiveCheckpoints(checkpoints: readonly RecordedCheckpoint[]): EffectiveCheckpoints {
  const workspaces = new Map<string, WorkspaceCheckpoints>();
  const forged: RecordedCheckpoint[] = [];
  const restores = new Map<string, RestoreMarker>();
  for (const checkpoint of [...checkpoints].sort((a, b) => a.checkpointId - b.checkpointId)) {
    if (checkpoint.signature !== 'valid') {
      forged.push(checkpoint);
      continue;
    }
    let entry = workspaces.get(checkpoint.workspaceId);
    if (!entry) workspaces.set(checkpoint.workspaceId, (entry = { workspaceId: checkpoint.workspaceId, inForce: [] }));
    if (checkpoint.kind === 'restore') {
      const kept = entry.inForce.filter((c) => c.workspaceSeq <= checkpoint.workspaceSeq);
      const key = `${checkpoint.recordedAt}\u0000${checkpoint.restoredFrom ?? ''}`;
      const marker = restores.get(key) ?? { recordedAt: checkpoint.recordedAt, restoredFrom: checkpoint.restoredFrom, workspaces: 0, superseded: 0 };
      marker.workspaces++;
      marker.superseded += entry.inForce.length - kept.length;
      restores.set(key, marker);
      entry.inForce = kept;
    }
    entry.inForce.push(checkpoint);
  }
  return { workspaces, forged, restores: [...restores.values()] };
}
