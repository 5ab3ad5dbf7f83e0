/**
 * Signed checkpoints of the journal's chain heads. crud decides WHEN a head is recorded and
 * what a recorded head says about the journal; HOW it is signed and where it is kept is the
 * sink's (the gateway wires the keystore's, so the key and the records live outside
 * gateway.db). crud never imports the keystore: these interfaces are the whole contract.
 */

/** A workspace's chain head: its newest event. */
export interface ChainHead {
  workspaceId: string;
  /** 0 only in a restore marker for a workspace the backup does not hold. */
  workspaceSeq: number;
  position: number;
  /** That event's hash (64 zeros with seq 0). */
  hash: string;
}

/**
 * `startup`: the first heads after the gateway opened the journal; `interval`: every N events
 * or T seconds; `shutdown`: at a clean close; `restore`: the heads of a restored backup, which
 * supersede the earlier checkpoints of the same workspace that are newer than them.
 */
export type CheckpointKind = 'startup' | 'interval' | 'shutdown' | 'restore';

/** A checkpoint as the source read it back, its signature already checked with the key. */
export interface RecordedCheckpoint extends ChainHead {
  /** Increases with every head recorded: the order of recording. */
  checkpointId: number;
  kind: CheckpointKind;
  /** ISO-8601 UTC. */
  recordedAt: string;
  /** For `restore`: the backup's file name. */
  restoredFrom: string | null;
  /** `invalid`: the signature does not match the record; `unknown_key`: signed by a key the source does not hold. */
  signature: 'valid' | 'invalid' | 'unknown_key';
}

export interface CheckpointSink {
  /** Signs and stores these heads, one record each, in one durable transaction; returns the records. */
  record(heads: readonly ChainHead[], kind: CheckpointKind, options?: { restoredFrom?: string }): Promise<RecordedCheckpoint[]>;
}

export interface CheckpointSource {
  /**
   * Every checkpoint kept, oldest first. `newestPerWorkspace`: the source may return only each
   * workspace's newest one whose signature verifies (all a checkpointer resumes from; cheaper
   * when signatures are slow to check). Returning everything is correct too.
   */
  list(options?: { newestPerWorkspace?: boolean }): Promise<RecordedCheckpoint[]>;
}

export type CheckpointStore = CheckpointSink & CheckpointSource;

export type CheckpointFindingReason =
  /** The journal ends before the checkpoint: the events after its head up to the checkpoint are gone. */
  | 'events_lost'
  /** The journal holds no event of a workspace a checkpoint recorded. */
  | 'workspace_missing'
  /** The journal holds the checkpoint's seq with another hash: events at or before it were rewritten. */
  | 'events_rewritten'
  /** A checkpoint whose signature does not verify (forged, altered, or signed by an unknown key); ignored otherwise. */
  | 'checkpoint_forged';

export interface CheckpointFinding {
  reason: CheckpointFindingReason;
  workspaceId: string;
  checkpointId: number;
  /** The checkpoint's workspace_seq. */
  checkpointSeq: number;
  /** The journal's newest workspace_seq for the workspace (0: none). */
  journalSeq: number;
  /** `events_lost`, `workspace_missing`: the first and last seq that are gone. */
  lost?: { fromSeq: number; toSeq: number };
  /** `events_rewritten`: the rewrite lies after `afterSeq` (the newest checkpoint that still matches, 0 if none) and at or before `upToSeq`. */
  rewritten?: { afterSeq: number; upToSeq: number };
  detail: string;
}

export interface WorkspaceCheckpointStatus {
  workspaceId: string;
  /** The newest checkpoint in force (valid signature, not superseded by a restore). */
  newest: RecordedCheckpoint;
  /** The journal's newest workspace_seq (0: no event). */
  journalSeq: number;
  /** Whether the journal still holds `newest.workspaceSeq` with `newest.hash`. */
  contained: boolean;
}

export interface RestoreMarker {
  recordedAt: string;
  restoredFrom: string | null;
  /** Workspaces whose head the marker recorded. */
  workspaces: number;
  /** Earlier checkpoints, newer than the backup, that it superseded. */
  superseded: number;
}

export interface CheckpointReport {
  ok: boolean;
  /** Checkpoints read. */
  checkpoints: number;
  workspaces: WorkspaceCheckpointStatus[];
  findings: CheckpointFinding[];
  restores: RestoreMarker[];
  /** Workspaces with events but no checkpoint yet (their tail is anchored nowhere): not a finding. */
  unanchored: string[];
}
