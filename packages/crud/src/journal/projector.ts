import type { WriteContext } from '@cairn/sqlite';
import type { JournalEvent } from './types.js';

/**
 * What projecting one event did. Projectors are idempotent: replaying an event that is
 * already reflected in the read models is a named no-op, never a duplicate row.
 */
export type ProjectionOutcome =
  | { outcome: 'applied' }
  | { outcome: 'noop_already_started' }
  | { outcome: 'noop_already_terminal' }
  | { outcome: 'noop_duplicate_terminal' }
  | { outcome: 'invariant_violation'; reason: string };

/**
 * A projector owns some read-model tables and keeps them in step with the journal. It runs
 * inside the coordinator job that appended the event (same transaction), and again, in
 * order, when read models are rebuilt from the journal. Several projectors may handle the
 * same event type (the turn read models and the recovery-job table both follow recovery
 * events).
 */
export interface Projector {
  readonly name: string;
  handles(type: string): boolean;
  /** Checks the event against current state without writing; `applied` means apply() will write. */
  check(ctx: WriteContext, event: JournalEvent): ProjectionOutcome;
  apply(ctx: WriteContext, event: JournalEvent): ProjectionOutcome;
  /** Read-model tables this projector owns, emptied before a rebuild (children before parents). */
  readonly tables: readonly string[];
}
