import { TURN_EVENT_TYPES, isTurnEventType, type TurnEventPayload, type TurnEventType } from '@cairn/protocol';
import type { WriteContext } from '../port/types.js';
import { applied, violation } from '../event-log/decision.js';
import type { Decision, Projector } from '../event-log/types.js';
import type { JournalEvent, PendingEvent } from '../journal/types.js';
import type { SearchIndex } from '../search/search-index.js';
import { projectItemCompleted } from './projection/project-item-completed.js';
import { projectItemDelta, projectItemStarted, projectItemTimeout, projectItemUpdated } from './projection/project-item-events.js';
import { projectBudgetExhausted, projectRecoveryClosed, projectRecoveryOpened } from './projection/project-recovery-events.js';
import { projectRetryAttemptStarted, projectRetryScheduled } from './projection/project-retry-events.js';
import { projectTurnEnded } from './projection/project-turn-ended.js';
import { projectTurnStarted } from './projection/project-turn-started.js';
import type { Handler, ProjectionDeps, TurnEnvelope } from './projection/types.js';

/** The turn read models, children before parents (the order a rebuild empties them in). */
export const TURN_TABLES = ['turn_timeline_entry', 'turn_item_attempt', 'turn_item', 'turn_status_change', 'turn_input', 'turn'] as const;

const HANDLERS: { [K in TurnEventType]: Handler<Extract<TurnEventPayload, { type: K }>> } = {
  'turn.started': projectTurnStarted,
  'item.started': projectItemStarted,
  'item.updated': projectItemUpdated,
  'item.agent_message.delta': projectItemDelta,
  'item.completed': projectItemCompleted,
  'item.timeout_detected': projectItemTimeout,
  'recovery.opened': projectRecoveryOpened,
  'retry.scheduled': projectRetryScheduled,
  'retry.attempt_started': projectRetryAttemptStarted,
  'recovery.succeeded': projectRecoveryClosed,
  'recovery.exhausted': projectRecoveryClosed,
  'turn.tool_loop.budget_exhausted': projectBudgetExhausted,
  'turn.completed': projectTurnEnded,
  'turn.failed': projectTurnEnded,
  'turn.cancelled': projectTurnEnded,
};

export interface TurnProjectorOptions {
  search: SearchIndex;
  /** Default true; false while rebuilding (see `ProjectionDeps.touchThreads`). */
  touchThreads?: boolean;
}

/**
 * Projects turn events into turns, their input, status history, items, attempts, timeline
 * and the search index, inside the transaction that journals them. The journaled payload is
 * the `TurnEventPayload` (plus the held-text fields), the thread is the envelope's. Every outcome is decided from the rows alone, so
 * replaying the journal into empty tables rebuilds the same rows.
 */
export class TurnProjector implements Projector {
  readonly name = 'turns';
  readonly canHandle: readonly string[] = TURN_EVENT_TYPES;
  readonly tables: readonly string[];
  readonly #deps: ProjectionDeps;

  constructor(options: TurnProjectorOptions) {
    this.#deps = { search: options.search, touchThreads: options.touchThreads ?? true };
    this.tables = [...TURN_TABLES, ...options.search.tables];
  }

  /** The same projector for replaying the journal into emptied tables: it leaves thread rows alone. */
  forRebuild(): TurnProjector {
    return new TurnProjector({ search: this.#deps.search, touchThreads: false });
  }

  async decide(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
    const envelope = toEnvelope(event);
    if (typeof envelope === 'string') return violation(envelope);
    const decision = await (HANDLERS[envelope.event.type] as Handler)(ctx, envelope, this.#deps);
    if (decision.outcome !== 'applied') return decision;
    const write = decision.write;
    return applied((placed: JournalEvent) => write({ ...envelope, seq: placed.streamSeq, workspaceSeq: placed.workspaceSeq }));
  }
}

/**
 * The typed envelope of a turn event, or what is wrong with it. The thread comes from the
 * journal's envelope; events journaled before it had one (hash v1 rows) carried it as
 * `thread_id` in the payload, which is still read for them, so old journals rebuild.
 */
function toEnvelope(event: PendingEvent): TurnEnvelope | string {
  const payload = event.payload as (TurnEventPayload & { thread_id?: unknown }) | null;
  if (event.streamType !== 'turn') return `turn event on a ${event.streamType} stream`;
  if (!payload || typeof payload !== 'object' || payload.type !== event.type || !isTurnEventType(payload.type)) {
    return `payload of ${event.type} does not carry the same type`;
  }
  const threadId = event.threadId ?? payload.thread_id;
  if (typeof threadId !== 'string') return `${event.type} names no thread`;
  return { workspaceId: event.workspaceId, turnId: event.streamId, threadId, at: event.recordedAt, event: payload };
}
