import { isTurnEventType, type TurnEventPayload, type TurnEventType } from '@cairn/protocol';
import type { WriteContext } from '@cairn/sqlite';
import type { Projector, ProjectionOutcome } from '../journal/projector.js';
import type { JournalEvent } from '../journal/types.js';
import type { SearchIndex } from '../search/search-index.js';
import { projectItemCompleted } from './projection/project-item-completed.js';
import { projectItemDelta, projectItemStarted, projectItemTimeout, projectItemUpdated } from './projection/project-item-events.js';
import { projectBudgetExhausted, projectRecoveryClosed, projectRecoveryOpened } from './projection/project-recovery-events.js';
import { projectRetryAttemptStarted, projectRetryScheduled } from './projection/project-retry-events.js';
import { projectTurnEnded } from './projection/project-turn-ended.js';
import { projectTurnStarted } from './projection/project-turn-started.js';
import { violation, type Decision, type Handler, type ProjectionDeps, type TurnEnvelope } from './projection/types.js';

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
 * and the search index, inside the transaction that journaled them. The journaled payload is
 * the `TurnEventPayload` plus `thread_id`. Every outcome is decided from the rows alone, so
 * replaying the journal into empty tables rebuilds the same rows.
 */
export class TurnProjector implements Projector {
  readonly name = 'turns';
  readonly tables: readonly string[];
  readonly #deps: ProjectionDeps;
  #checked: { ctx: WriteContext; event: JournalEvent; envelope: TurnEnvelope; decision: Decision } | undefined;

  constructor(options: TurnProjectorOptions) {
    this.#deps = { search: options.search, touchThreads: options.touchThreads ?? true };
    this.tables = [...TURN_TABLES, ...options.search.tables];
  }

  /** The same projector for replaying the journal into emptied tables: it leaves thread rows alone. */
  forRebuild(): TurnProjector {
    return new TurnProjector({ search: this.#deps.search, touchThreads: false });
  }

  handles(type: string): boolean {
    return isTurnEventType(type);
  }

  check(ctx: WriteContext, event: JournalEvent): ProjectionOutcome {
    const { decision, envelope } = this.#decide(ctx, event);
    this.#checked = decision.outcome === 'applied' && envelope ? { ctx, event, envelope, decision } : undefined;
    return decision.outcome === 'applied' ? { outcome: 'applied' } : decision;
  }

  apply(ctx: WriteContext, event: JournalEvent): ProjectionOutcome {
    const reused = this.#reuseCheck(ctx, event);
    const decision = reused ?? this.#decide(ctx, event).decision;
    if (decision.outcome !== 'applied') return decision;
    decision.write();
    return { outcome: 'applied' };
  }

  /**
   * The append path checks an event, journals it and applies it, in that order, in one
   * synchronous job; only the journal row is written in between (TurnProjector applies
   * first, and nothing else writes turn read models), which no turn decision reads. So the
   * decision taken at check time still holds at apply time and is reused (the reads are not
   * repeated), once the envelope is given the sequence numbers the journal assigned.
   * Anything else (another event, another transaction, a rebuild) decides afresh.
   */
  #reuseCheck(ctx: WriteContext, event: JournalEvent): Decision | undefined {
    const checked = this.#checked;
    this.#checked = undefined;
    if (!checked || checked.ctx !== ctx) return undefined;
    const before = checked.event;
    if (
      before.streamId !== event.streamId ||
      before.type !== event.type ||
      before.workspaceId !== event.workspaceId ||
      before.recordedAt !== event.recordedAt ||
      before.idempotencyKey !== event.idempotencyKey ||
      // Checked on the caller's payload, applied on the journal's redacted copy: equal unless
      // redaction changed something, and then the decision is taken again on what was kept.
      JSON.stringify(before.payload) !== JSON.stringify(event.payload)
    ) {
      return undefined;
    }
    checked.envelope.seq = event.streamSeq;
    checked.envelope.workspaceSeq = event.workspaceSeq;
    return checked.decision;
  }

  #decide(ctx: WriteContext, event: JournalEvent): { decision: Decision; envelope?: TurnEnvelope } {
    const envelope = toEnvelope(event);
    if (typeof envelope === 'string') return { decision: violation(envelope) };
    const handler = HANDLERS[envelope.event.type] as Handler;
    return { decision: handler(ctx, envelope, this.#deps), envelope };
  }
}

/** The typed envelope of a journaled turn event, or what is wrong with it. */
function toEnvelope(event: JournalEvent): TurnEnvelope | string {
  const payload = event.payload as (TurnEventPayload & { thread_id?: unknown }) | null;
  if (event.streamType !== 'turn') return `turn event on a ${event.streamType} stream`;
  if (!payload || typeof payload !== 'object' || payload.type !== event.type || !isTurnEventType(payload.type)) {
    return `payload of ${event.type} does not carry the same type`;
  }
  if (typeof payload.thread_id !== 'string') return `payload of ${event.type} has no thread_id`;
  return {
    workspaceId: event.workspaceId,
    turnId: event.streamId,
    threadId: payload.thread_id,
    seq: event.streamSeq,
    workspaceSeq: event.workspaceSeq,
    at: event.recordedAt,
    event: payload,
  };
}
