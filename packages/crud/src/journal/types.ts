import type { ReadContext, WriteContext } from '../port/types.js';

/**
 * The contract of the one append-only journal: the storage under the event log
 * (`event-log/`), for every stream (turn, thread, task, artifact, audit). Implemented in this folder. Domain
 * code does not call it: it appends through the event log, which redacts, lets the stream's
 * projectors decide, then `place`s the event and runs their writes, all inside one
 * write job, so an event and its projection commit together or not at all. `append`
 * (key check, redaction, placement; no projector) is for tools and tests that write the
 * journal alone.
 */
export type StreamType = 'turn' | 'thread' | 'task' | 'artifact' | 'audit';

export interface JournalEventInput {
  workspaceId: string;
  streamType: StreamType;
  /** e.g. the turn id for turn events. */
  streamId: string;
  /** e.g. `turn.started`, `item.completed`. */
  type: string;
  /** Any JSON value; redacted of secrets before it is stored or hashed. */
  payload: unknown;
  /**
   * Appending the same key twice (within a workspace) returns the first event and writes
   * nothing. Stored only as its digest (`idempotencyDigest`), never as given.
   */
  idempotencyKey?: string;
  /** ISO-8601 UTC; defaults to now. */
  recordedAt?: string;
  /** The thread the event belongs to, if any: an envelope field, stored in `thread_id` and hashed. */
  threadId?: string;
}

export interface JournalEvent {
  /** Global order across the whole file, 1, 2, 3, ... */
  position: number;
  workspaceId: string;
  /** Per-workspace position: the resync cursor `seq` of PROTOCOL.md. */
  workspaceSeq: number;
  streamType: StreamType;
  streamId: string;
  /** Per-stream sequence, 1, 2, 3, ... */
  streamSeq: number;
  /** The thread the event belongs to, or null (and for every row written before migration 0006). */
  threadId: string | null;
  type: string;
  /** The stored (redacted) payload. */
  payload: unknown;
  /** The digest of the idempotency key (`k1.<base64url>`), or null. */
  idempotencyKey: string | null;
  recordedAt: string;
  /**
   * Hex SHA-256 of the previous event of the same workspace (64 zeros for its first). Rows
   * written before migration 0006 link to the previous row of the whole file instead.
   */
  prevHash: string;
  hash: string;
}

/**
 * An event before the journal placed it: validated, payload redacted (the stored tree), key
 * as its digest, time stamped. What projectors decide on; a `JournalEvent` is one too, so a
 * rebuild decides on the journaled event the same way.
 */
export type PendingEvent = Omit<JournalEvent, 'position' | 'workspaceSeq' | 'streamSeq' | 'prevHash' | 'hash'>;

export interface AppendResult {
  event: JournalEvent;
  /** True when the idempotency key was seen before: nothing was written. */
  duplicate: boolean;
}

/** Appends inside an open write transaction (a storage port's write job). */
export type AppendEvent = (ctx: WriteContext, input: JournalEventInput) => Promise<AppendResult>;

export type VerifyResult =
  /** `archived`: events checked in archive segments (present when `archiveDir` was given). */
  | { ok: true; checked: number; lastPosition: number; archived?: number }
  | {
      ok: false;
      checked: number;
      /** The archive segment (file name) the broken link is in, when it is in the archive. */
      segment?: string;
      /** The first row that does not fit. */
      position: number;
      reason: VerifyFailureReason;
      detail: string;
      /** That row's workspace and workspace_seq, when its columns could be read. */
      workspaceId?: string;
      workspaceSeq?: number;
    };

/**
 * Statement access for the journal's reads: a storage port's `ReadContext` (one snapshot)
 * and a `WriteContext` (inside the write transaction) both fit.
 */
export type JournalReader = ReadContext;

/** An extra redactor run after the built-in rules (e.g. the keystore's scrub of every value it holds). */
export type PayloadRedactor = (payload: unknown) => unknown;

/**
 * Holds back streamed text that may be the beginning of a secret (see
 * `turns/hold-streamed-text.ts`). The gateway builds it from the keystore: `split` from the
 * redactor that knows every held value, `seal`/`open` from a key that never enters gateway.db.
 */
export interface HeldTextGuard {
  /** Redacts `text` and splits off the tail that may still grow into a secret. */
  split(text: string): { release: string; hold: string };
  /** An opaque form of `text` safe to store in gateway.db. */
  seal(text: string): string;
  /** The text, or undefined when `sealed` can no longer be opened. */
  open(sealed: string): string | undefined;
}

export interface JournalOptions {
  /** Runs on the payload after the built-in secret rules, before canonicalisation and hashing. */
  redact?: PayloadRedactor;
  /** Hold back streamed text across deltas; without it every delta is redacted on its own. */
  heldText?: HeldTextGuard;
  /** ISO-8601 UTC "now" for events without `recordedAt`. Default `new Date().toISOString()`. */
  now?: () => string;
  /**
   * Hears each event written (not duplicates), inside its write transaction, before commit:
   * what the checkpointer counts to know when N events have passed. Must not throw or write.
   */
  onAppended?: (workspaceId: string) => void;
}

export interface Journal {
  append: AppendEvent;
  /**
   * Places a pending event (next position, workspace and stream seq, hash link) and inserts
   * it; inside a write transaction. No validation, redaction or key check: the caller did them.
   */
  place(ctx: WriteContext, event: PendingEvent): Promise<JournalEvent>;
  /** The event appended with this key digest in the workspace, if any. */
  findByKey(reader: JournalReader, workspaceId: string, keyDigest: string): Promise<JournalEvent | undefined>;
  /** The clock of events appended without `recordedAt`. */
  now(): string;
  /** The redaction `append` applies (built-in rules, then the extra hook): for logs and errors too. */
  redact(payload: unknown): unknown;
  /** The streamed-text guard the write paths apply before appending, if any. */
  readonly heldText?: HeldTextGuard | undefined;
}

export interface ReadStreamOptions {
  /** Events with a greater `streamSeq` only. Default 0 (from the start). */
  afterStreamSeq?: number;
  limit: number;
}

/** Why `verifyJournal` stopped: the first broken link, in position order. */
export type VerifyFailureReason =
  /** A v1 row's position is not the previous row's + 1 (a row was deleted, or the first is not 1). */
  | 'position_gap'
  /**
   * The row's `prev_hash` is not the hash of the previous row of its workspace (v2; 64 zeros
   * for a workspace's first row), or of the previous row of the file (v1).
   */
  | 'prev_hash_mismatch'
  /** The row's `hash` is not the SHA-256 of its own fields: the row was edited. */
  | 'hash_mismatch'
  /** The row's `workspace_seq` is not its workspace's previous seq + 1. */
  | 'workspace_seq_gap'
  /** The row's `stream_seq` is not its stream's previous seq + 1. */
  | 'stream_seq_gap'
  /** A column has the wrong storage type (e.g. a payload rewritten as a BLOB, a NULL seq), or an unknown `hash_version`. */
  | 'malformed_row'
  /** A v1 row after a v2 row: v1 rows are the file's prefix written before migration 0006. */
  | 'hash_version_order'
  /** An archive segment does not read back whole: not gzip, truncated, its SHA-256 not its trailer's, its name not its header's range. */
  | 'segment_corrupt'
  /** A segment does not name the previous segment's SHA-256 (a segment replaced or reordered). */
  | 'segment_link_mismatch'
  /** A workspace's archive does not end at its retention point (its newest segments are missing), or the first live row does not follow it. */
  | 'archive_mismatch';

export interface VerifyOptions {
  /** Rows read per statement; the verifier yields to the event loop between batches. Default 2,000. */
  batchSize?: number;
  /** Called after each batch with the rows checked so far. */
  onProgress?: (checked: number) => void;
  /**
   * The archive root (`<home>/archive`): each workspace with a retention point is walked from
   * its first archived event, then its live rows. Without it, the live rows of such a workspace
   * are checked from the retention point on, trusting it (`archived` stays 0).
   */
  archiveDir?: string;
}
