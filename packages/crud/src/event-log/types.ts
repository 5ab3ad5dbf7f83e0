import type { WriteContext } from '../port/types.js';
import type { Journal, JournalEvent, PendingEvent, StreamType } from '../journal/types.js';

/** The named no-ops of ARCHITECTURE.md: the state already says so; nothing is written, not even the journal. */
export type NoopOutcome = 'noop_already_started' | 'noop_already_terminal' | 'noop_duplicate_terminal';

/** A projector's decision to write: `write` runs once the event is journaled, with the placed event. */
export interface Applied<W = JournalEvent> {
  outcome: 'applied';
  write: (placed: W) => Promise<void>;
}
export interface Noop {
  outcome: NoopOutcome;
}
/** The event is impossible in the current state: the append fails and nothing is written. */
export interface Refusal {
  outcome: 'invariant_violation';
  reason: string;
}

/**
 * What one projector decided about one event, from the state before it: the one projector
 * contract. `W` is what `write` receives; for the event log, the journaled event.
 */
export type Decision<W = JournalEvent> = Applied<W> | Noop | Refusal;

/** The outcome names: `applied`, the no-ops, `invariant_violation`. */
export type ProjectionOutcome = Decision['outcome'];

/**
 * Owns some read-model tables and keeps them in step with one stream's events (Emmett's
 * projection definition: the event types it can handle, and what to do with one). `decide`
 * runs inside the transaction that appends the event, before the journal places it, and
 * again on the journaled event when read models are rebuilt; it must not write. Every
 * projector that handles an event decides on the state before it, then the applied ones
 * write in registration order, so a decision may read only what no other projector of the
 * same event writes.
 */
export interface Projector {
  readonly name: string;
  /** Event types of its stream it handles. */
  readonly canHandle: readonly string[];
  /** Read-model tables it owns, emptied before a rebuild (children before parents). */
  readonly tables: readonly string[];
  decide(ctx: WriteContext, event: PendingEvent): Promise<Decision>;
  /** The instance a rebuild replays through, when it must differ (the turn projector leaves thread rows alone). */
  forRebuild?(): Projector;
}

/** What a caller appends: the journal's input, before redaction and decision. */
export interface EventInput {
  workspaceId: string;
  streamType: StreamType;
  /** e.g. the turn id for turn events. */
  streamId: string;
  /** e.g. `turn.started`, `item.completed`. */
  type: string;
  /** Any JSON value; redacted once before projectors see it and the journal stores it. */
  payload: unknown;
  /** Envelope: the thread the event belongs to (turn events), stored and hashed beside the payload, never inside it. */
  threadId?: string | undefined;
  /** The same key again (within the workspace) answers the first result and writes nothing. */
  idempotencyKey?: string | undefined;
  /** ISO-8601 UTC; default the journal's clock, read as the event's turn comes inside the job. */
  recordedAt?: string | undefined;
}

/**
 * One stream type's registration: its projectors, in apply order, and optionally a transform
 * of the caller's payload that runs before redaction (the turn stream's held streamed text).
 * Registering the same stream type twice adds the second registration's projectors after
 * the first's; a stream has at most one `prepare`.
 */
export interface EventStream {
  readonly streamType: StreamType;
  readonly projectors: readonly Projector[];
  /** Runs inside the job, in event order (so it sees what the batch's earlier events wrote); answers the payload to redact and decide on. */
  readonly prepare?: (ctx: WriteContext, input: EventInput) => Promise<unknown>;
}

export type EventAppendResult =
  /** Journaled and projected; or, with `duplicate`, the first event appended with this key. */
  | { outcome: 'applied'; event: JournalEvent; duplicate: boolean }
  | { outcome: NoopOutcome; event: null; duplicate: false };

/** The one event log: every stream's events go through `appendEvents`. Built once by the store. */
export interface EventLog {
  readonly journal: Journal;
  /** The registrations it was built from, in order. */
  readonly streams: readonly EventStream[];
  /** Every projector of every stream, in registration order: what a rebuild empties and replays through. */
  readonly projectors: readonly Projector[];
  /** The projectors of `streamType` that handle `type`, in apply order. */
  projectorsFor(streamType: string, type: string): readonly Projector[];
  /**
   * Appends 1..256 events of one workspace inside the caller's write job, in order: each is
   * checked, its key looked up, prepared, redacted once, decided by its stream's projectors,
   * and, when one applies, journaled and written. A refusal or bad input anywhere throws
   * (`details.index` names the event) and the job rolls back: all or nothing.
   */
  appendEvents(ctx: WriteContext, inputs: readonly EventInput[]): Promise<EventAppendResult[]>;
}
