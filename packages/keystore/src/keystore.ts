import type { SecretKind, SecretRef } from '@cairn/protocol';

/** What the keystore says about an entry. Never the value: safe to log, list and send. */
export interface SecretInfo {
  readonly ref: SecretRef;
  readonly service: string;
  readonly id: string;
  readonly kind: SecretKind;
  readonly label: string | null;
  /** 1 on creation, +1 on every `set` of an existing entry; a master-key rotation leaves it alone. */
  readonly version: number;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SetSecretOptions {
  /** Default `generic` on creation; kept on update when absent. */
  kind?: SecretKind;
  /** Kept on update when absent; `null` clears it. Labels are not secret: they are listed and logged. */
  label?: string | null;
}

/**
 * Fired after a change committed (never for a failed one). It carries the value so that the
 * redactor can learn it without a read; listeners are in-process code, and must not log it.
 */
export type KeystoreChange =
  | { readonly type: 'set'; readonly info: SecretInfo; readonly value: string }
  | { readonly type: 'delete'; readonly service: string; readonly id: string };

export type KeystoreListener = (change: KeystoreChange) => void;

/** What `setIfAbsent` found or made. */
export interface SetIfAbsentResult {
  /** The value now stored: the caller's when `created`, else the one already there. */
  readonly value: string;
  readonly info: SecretInfo;
  readonly created: boolean;
}

/**
 * Raw secret values keyed by `(service, id)`. Every method validates the address first
 * (`invalid_secret_id` naming the rule broken) and no error, log line or metadata ever carries
 * a value. `SqliteKeystore` keeps values encrypted in keystore.db, `PostgresKeystore` in a
 * PostgreSQL schema of its own; `MemoryKeystore` is the same contract in memory, for tests.
 */
export interface Keystore {
  /** Creates or replaces the value. Values: non-empty, well-formed UTF-16, at most 64 KiB of UTF-8. */
  set(service: string, id: string, value: string, options?: SetSecretOptions): Promise<SecretInfo>;
  /** The value, or undefined when there is no such entry. `decryption_failed` when it exists but fails authentication. */
  get(service: string, id: string): Promise<string | undefined>;
  /** True when an entry was removed; false when there was none. */
  delete(service: string, id: string): Promise<boolean>;
  /** Metadata of every entry (of one service when given), ordered by service then id. */
  list(filter?: { service?: string }): Promise<SecretInfo[]>;
  exists(service: string, id: string): Promise<boolean>;
  /**
   * Stores `value` only if there is no entry yet, atomically: of several callers (processes
   * sharing one PostgreSQL keystore) exactly one creates it, and every one gets the value that
   * was stored. Notifies a `set` only when it created the entry. Optional: a keystore without
   * it is used with `get` then `set` (`createHeldTextSealer`, `createCheckpointSigner`), which
   * is enough where one process owns the keystore.
   */
  setIfAbsent?(service: string, id: string, value: string, options?: SetSecretOptions): Promise<SetIfAbsentResult>;
  /** Listens to committed changes made through this instance; returns the unsubscribe function. */
  subscribe(listener: KeystoreListener): () => void;
  close(): Promise<void>;
}
