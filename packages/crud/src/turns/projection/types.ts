import type { TurnEventPayload } from '@cairn/protocol';
import type { WriteContext } from '@cairn/sqlite';
import type { ProjectionOutcome } from '../../journal/projector.js';
import type { SearchIndex } from '../../search/search-index.js';

/**
 * What the write path adds to a turn event before journaling it, when streamed text is held
 * back (`hold-streamed-text.ts`). Internal to the journal: no client sends these fields.
 */
export interface HeldTextFields {
  /** `item.agent_message.delta`: the sealed tail held back after this delta; absent when nothing is held. */
  held?: string;
  /** `item.completed`: the held tail, released into the item's text as it closes. */
  held_release?: string;
  /** `turn.failed` / `turn.cancelled`: the held tails of the open items the event closes, by item id. */
  held_releases?: Record<string, string>;
}

/** A turn event as journaled. A delta's `delta` may be empty when all of it is held. */
export type JournaledTurnEvent = TurnEventPayload & HeldTextFields;

/** One turn event as the projector sees it: the journal's envelope fields plus the typed payload. */
export interface TurnEnvelope<E extends TurnEventPayload = TurnEventPayload> {
  workspaceId: string;
  turnId: string;
  threadId: string;
  /** Per-turn stream sequence (0 while only being checked, before the journal assigned one). */
  seq: number;
  /** Workspace journal position (`seq` of notifications); 0 while only being checked. */
  workspaceSeq: number;
  /** The journal's `recordedAt`: every time the read models store comes from here, so rebuilds reproduce it. */
  at: string;
  event: E & HeldTextFields;
}

export interface ProjectionDeps {
  search: SearchIndex;
  /**
   * Whether thread rows follow turns (activity stamp, re-activation, sandbox policy). Off
   * while rebuilding: `thread` is not a turn read model and holds edits the journal does not
   * (archive, policy set by hand), so replaying old turns must not overwrite them.
   */
  touchThreads: boolean;
}

/**
 * What one event would do, decided from current state without writing: a named no-op, a
 * violation, or `applied` with the writes to run. `check` stops at the decision, `apply`
 * runs `write`; both see the same state inside one transaction, so they agree.
 */
export type Decision = Exclude<ProjectionOutcome, { outcome: 'applied' }> | { outcome: 'applied'; write: () => void };

export type Handler<E extends TurnEventPayload = TurnEventPayload> = (ctx: WriteContext, env: TurnEnvelope<E>, deps: ProjectionDeps) => Decision;

export const violation = (reason: string): Decision => ({ outcome: 'invariant_violation', reason });
export const applied = (write: () => void): Decision => ({ outcome: 'applied', write });
export const NOOP_STARTED: Decision = { outcome: 'noop_already_started' };
export const NOOP_TERMINAL: Decision = { outcome: 'noop_already_terminal' };
export const NOOP_DUPLICATE_TERMINAL: Decision = { outcome: 'noop_duplicate_terminal' };
