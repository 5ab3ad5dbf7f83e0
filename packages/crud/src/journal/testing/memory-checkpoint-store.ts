import type { ChainHead, CheckpointKind, CheckpointStore, RecordedCheckpoint } from '../checkpoint-types.js';

/**
 * A `CheckpointStore` in memory for crud's own tests: it "signs" nothing, so a test forges a
 * checkpoint by pushing a record marked `invalid`. The real one (signed, in keystore.db) is
 * the keystore's; the gateway's tests run that one.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly records: RecordedCheckpoint[] = [];
  #now: () => string;

  constructor(now: () => string = () => new Date().toISOString()) {
    this.#now = now;
  }

  async record(heads: readonly ChainHead[], kind: CheckpointKind, options: { restoredFrom?: string } = {}): Promise<RecordedCheckpoint[]> {
    const recordedAt = this.#now();
    const added = heads.map((h) => ({
      ...h,
      checkpointId: this.records.length + 1 + heads.indexOf(h),
      kind,
      recordedAt,
      restoredFrom: options.restoredFrom ?? null,
      signature: 'valid' as const,
    }));
    this.records.push(...added);
    return added;
  }

  async list(): Promise<RecordedCheckpoint[]> {
    return this.records.map((r) => ({ ...r }));
  }
}
