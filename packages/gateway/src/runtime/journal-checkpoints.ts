import type { GatewaySettings } from '@cairn/config';
import type { CheckpointFinding, JournalCheckpointOptions } from '@cairn/crud';
import type { JournalCheckpointLog } from '@cairn/keystore';

/** What the running gateway's checkpointer has heard: findings since start, and a hook to hear the next ones. */
export interface JournalAnchorReport {
  /** Workspaces whose newest checkpoint the journal no longer held (each at most once per run). */
  readonly findings: readonly CheckpointFinding[];
  /** Checkpoints that could not be recorded (keystore.db failed); the next one retries. */
  readonly errors: number;
  /** Hears each later finding (the server logs them). Returns the unsubscribe function. */
  onFinding(listener: (finding: CheckpointFinding) => void): () => void;
  /** Hears each later failure to record. */
  onError(listener: (error: unknown) => void): () => void;
  /** When the newest signed checkpoint of any workspace was recorded (ms since the epoch); undefined when there is none. */
  newestAt(): Promise<number | undefined>;
}

/**
 * crud's checkpointer wired to the keystore's checkpoint log: the heads of gateway.db's
 * journal are signed with the keystore's journal signing key and stored in keystore.db, at
 * the intervals of the `[checkpoints]` settings. crud sees a `CheckpointStore`, never the key.
 */
export function journalCheckpointOptions(
  log: JournalCheckpointLog,
  settings: GatewaySettings,
): { options: JournalCheckpointOptions; report: JournalAnchorReport } {
  const findings: CheckpointFinding[] = [];
  const findingListeners = new Set<(finding: CheckpointFinding) => void>();
  const errorListeners = new Set<(error: unknown) => void>();
  let errors = 0;
  const report: JournalAnchorReport = {
    findings,
    get errors() {
      return errors;
    },
    onFinding(listener) {
      findingListeners.add(listener);
      return () => findingListeners.delete(listener);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    async newestAt() {
      const newest = await log.list({ newestPerWorkspace: true });
      return newest.length === 0 ? undefined : Math.max(...newest.map((c) => Date.parse(c.recordedAt)));
    },
  };
  return {
    report,
    options: {
      store: log,
      everyEvents: settings.checkpoints.every_events,
      intervalMs: settings.checkpoints.every_seconds * 1000,
      onFinding: (finding) => {
        findings.push(finding);
        for (const listener of findingListeners) listener(finding);
      },
      onError: (error) => {
        errors++;
        for (const listener of errorListeners) listener(error);
      },
    },
  };
}
