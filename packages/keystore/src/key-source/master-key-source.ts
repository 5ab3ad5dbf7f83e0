import type { MasterKey } from '../crypto/master-key.js';

/** What a source holds right now. */
export interface KeyCandidates {
  /** The key the source names as current; undefined before the first start created one. */
  current: MasterKey | undefined;
  /** A key staged by a rotation that has not been promoted yet; `malformed` when the staged copy is unreadable. */
  next: MasterKey | 'malformed' | undefined;
}

/**
 * Where the master key lives. The keystore calls every method only while it holds its key lock
 * (keystore.db's write lock; the schema's advisory lock on PostgreSQL), so two processes never
 * move key files under each other, and never inside a write that may be retried.
 *
 * The rotation protocol (see README): `stage(next)` makes the new key durable BEFORE any row
 * is re-encrypted; the database then flips to the new key in one transaction; `promote(next)`
 * makes it current. On open the database's key id decides which candidate wins: the other is
 * discarded (rotation rolled back) or promoted (rotation committed).
 */
export interface MasterKeySource {
  readonly kind: 'file' | 'env' | 'static';
  /** For errors and health: where the key comes from (a path or a variable name), never the key. */
  readonly description: string;
  /** Whether `rotateMasterKey` may generate the new key itself (it can persist it). */
  readonly canGenerate: boolean;
  read(): KeyCandidates;
  /** First start: create and persist the current key. Called only when `read().current` is undefined. */
  create(): MasterKey;
  stage(next: MasterKey): void;
  promote(next: MasterKey): void;
  discard(): void;
  /** Files the source keeps, with the mode they must have (for health and hardening). */
  files(): Array<{ path: string; expectedMode: number }>;
}
