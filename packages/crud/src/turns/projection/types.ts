import type { TurnEventPayload } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import type { Decision } from '../../event-log/types.js';
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

/** One turn event as the projector decides on it: the journal's envelope fields plus the typed payload. */
export interface TurnEnvelope<E extends TurnEventPayload = TurnEventPayload> {
  workspaceId: string;
  turnId: string;
  threadId: string;
  /** The event's `recordedAt`: every time the read models store comes from here, so rebuilds reproduce it. */
  at: string;
  event: E & HeldTextFields;
}

/** The same event once the journal placed it: what a decision's writes receive. */
export interface PlacedTurnEnvelope<E extends TurnEventPayload = TurnEventPayload> extends TurnEnvelope<E> {
  /** Per-turn stream sequence. */
  seq: number;
  /** Workspace journal position (`seq` of notifications). */
  workspaceSeq: number;
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
 * What one turn event would do, decided from current state without writing (the event log's
 * `Decision`): a named no-op, a refusal, or `applied` with the writes to run once the
 * journal placed the event. A handler's write closure takes the placed envelope as `env`,
 * shadowing the one it decided on: the same event, now with its sequence numbers.
 */
export type TurnDecision<E extends TurnEventPayload = TurnEventPayload> = Decision<PlacedTurnEnvelope<E>>;

export type Handler<E extends TurnEventPayload = TurnEventPayload> = (ctx: WriteContext, env: TurnEnvelope<E>, deps: ProjectionDeps) => Promise<TurnDecision<E>>;
