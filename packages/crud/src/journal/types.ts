import type { WriteContext } from '@cairn/sqlite';

/**
 * The contract of the one append-only journal (turn events now; task and audit events
 * later). Implemented in this folder; the projectors call `appendEvent` inside the same
 * coordinator job that writes their read models, so an event and its projection commit
 * together or not at all.
 */
export type StreamType = 'turn' | 'task' | 'audit';

export interface JournalEventInput {
  workspaceId: string;
  streamType: StreamType;
  /** e.g. the turn id for turn events. */
  streamId: string;
  /** e.g. `turn.started`, `item.completed`. */
  type: string;
  /** Any JSON value; redacted of secrets before it is stored or hashed. */
  payload: unknown;
  /** Appending the same key twice (within a workspace) returns the first event and writes nothing. */
  idempotencyKey?: string;
  /** ISO-8601 UTC; defaults to now. */
  recordedAt?: string;
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
  type: string;
  /** The stored (redacted) payload. */
  payload: unknown;
  idempotencyKey: string | null;
  recordedAt: string;
  /** Hex SHA-256 of the previous event, or 64 zeros for the first. */
  prevHash: string;
  hash: string;
}

export interface AppendResult {
  event: JournalEvent;
  /** True when the idempotency key was seen before: nothing was written. */
  duplicate: boolean;
}

/** Appends inside an open write transaction (a `SqliteWriteCoordinator` job). Synchronous: the hot path. */
export type AppendEvent = (ctx: WriteContext, input: JournalEventInput) => AppendResult;

export type VerifyResult =
  | { ok: true; checked: number; lastPosition: number }
  | { ok: false; checked: number; position: number; reason: string };
