import { Type, type Static } from 'typebox';
import { ThreadId, TurnId, WorkspaceId } from '../common/ids.js';
import { PAGE_PARAMS, Page } from '../common/pagination.js';
import { defineMethods } from '../methods/define-methods.js';
import { SandboxPolicy } from '../thread/sandbox-policy.js';
import { TURN_LIMITS } from './turn-limits.js';
import { IdempotencyKey } from './turn-ids.js';
import { TurnEventPayload } from './turn-event-payload.js';
import { SearchHit, TimelineEntry, Turn, TurnItem, TurnStatusChange, TurnWithItems } from './turn.js';
import { Reason, TurnInput } from './turn-values.js';

const strict = { additionalProperties: false } as const;
const TurnRef = { workspace_id: WorkspaceId, turn_id: TurnId };

/**
 * What projecting an event did. `applied`: journaled and projected. The `noop_*` outcomes
 * wrote nothing (the state already said so). An `invariant_violation` is never an outcome on
 * the wire: it is an error with that code, and nothing was written.
 */
export const AppendOutcome = Type.Union([
  Type.Literal('applied'),
  Type.Literal('noop_already_started'),
  Type.Literal('noop_already_terminal'),
  Type.Literal('noop_duplicate_terminal'),
]);
export type AppendOutcome = Static<typeof AppendOutcome>;

const AppendFields = {
  /** Journal position of the event; null when nothing was written (a no-op). */
  position: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  /** The workspace's journal sequence (the notification `seq`); null for a no-op. */
  seq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  outcome: AppendOutcome,
  /** True when the idempotency key was seen before: this is the first call's result. */
  duplicate: Type.Boolean(),
};

/** Most events one `turn/event/append` call carries (PROTOCOL.md): one transaction, all or nothing. */
export const EVENT_BATCH_MAX = TURN_LIMITS.eventBatchMax;

/**
 * One event of a `turn/event/append` batch: a turn of a thread of the batch's workspace, and
 * its idempotency key (the same key within the workspace answers the first result and writes
 * nothing, so a batch retried after a lost answer writes nothing either).
 */
export const TurnEventEntry = Type.Object(
  { thread_id: ThreadId, turn_id: TurnId, idempotency_key: IdempotencyKey, event: TurnEventPayload },
  strict,
);

/** What appending one event did. */
export const TurnEventAppendEntryResult = Type.Object(AppendFields);

/**
 * Runtime-facing: a batch of 1..256 events of one workspace (any of its threads and turns),
 * committed in ONE transaction, all or nothing, in the order given: a later event sees what
 * the earlier ones did. A single event is a batch of one. An event a projector refuses fails
 * the whole batch with `invariant_violation`, `details.index` naming it.
 */
export const TurnEventAppendParams = Type.Object(
  { workspace_id: WorkspaceId, events: Type.Array(TurnEventEntry, { minItems: 1, maxItems: EVENT_BATCH_MAX }) },
  strict,
);
/** One result per event, in the order of `events`. */
export const TurnEventAppendResult = Type.Object({ results: Type.Array(TurnEventAppendEntryResult) });

/** Starts a turn in a thread of this workspace (a `turn.started` event). */
export const TurnStartParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    thread_id: ThreadId,
    /** Client-chosen id for optimistic UI; generated when absent. */
    turn_id: Type.Optional(TurnId),
    idempotency_key: Type.Optional(IdempotencyKey),
    input: TurnInput,
    sandbox_policy: Type.Optional(SandboxPolicy),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  strict,
);
export const TurnStartResult = Type.Object({ ...AppendFields, turn: Turn });

/** Cancels a running turn; open items are cancelled with it. On a finished turn: `noop_already_terminal`. */
export const TurnCancelParams = Type.Object(
  { ...TurnRef, reason: Type.Optional(Reason), idempotency_key: Type.Optional(IdempotencyKey) },
  strict,
);
export const TurnCancelResult = TurnStartResult;

export const TurnGetParams = Type.Object({ ...TurnRef, include_status_history: Type.Optional(Type.Boolean()) }, strict);
export const TurnGetResult = Type.Object({ turn: Turn, status_history: Type.Optional(Type.Array(TurnStatusChange)) });

/** Items in the order they started. */
export const TurnItemsParams = Type.Object({ ...TurnRef, include_attempts: Type.Optional(Type.Boolean()), ...PAGE_PARAMS }, strict);
export const TurnItemsResult = Page(TurnItem);

export const TurnTimelineParams = Type.Object({ ...TurnRef, ...PAGE_PARAMS }, strict);
export const TurnTimelineResult = Page(TimelineEntry);

/**
 * Newest turn first, each turn's items in order. `limit` bounds the items of a page (a turn
 * with more items than fit continues on the next page, `items_truncated` set).
 */
export const ThreadHistoryParams = Type.Object({ workspace_id: WorkspaceId, thread_id: ThreadId, ...PAGE_PARAMS }, strict);
export const ThreadHistoryResult = Page(TurnWithItems);

/** Full text over turn inputs and completed items of a workspace (optionally one thread), best match first. */
export const ThreadSearchParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    query: Type.String({ minLength: 1, maxLength: TURN_LIMITS.searchQueryLength, pattern: '\\S' }),
    thread_id: Type.Optional(ThreadId),
    ...PAGE_PARAMS,
  },
  strict,
);
export const ThreadSearchResult = Page(SearchHit);

export type TurnEventEntry = Static<typeof TurnEventEntry>;
export type TurnEventAppendEntryResult = Static<typeof TurnEventAppendEntryResult>;
export type TurnEventAppendParams = Static<typeof TurnEventAppendParams>;
export type TurnEventAppendResult = Static<typeof TurnEventAppendResult>;
export type TurnStartParams = Static<typeof TurnStartParams>;
export type TurnStartResult = Static<typeof TurnStartResult>;
export type TurnCancelParams = Static<typeof TurnCancelParams>;
export type TurnCancelResult = Static<typeof TurnCancelResult>;
export type TurnGetParams = Static<typeof TurnGetParams>;
export type TurnGetResult = Static<typeof TurnGetResult>;
export type TurnItemsParams = Static<typeof TurnItemsParams>;
export type TurnItemsResult = Static<typeof TurnItemsResult>;
export type TurnTimelineParams = Static<typeof TurnTimelineParams>;
export type TurnTimelineResult = Static<typeof TurnTimelineResult>;
export type ThreadHistoryParams = Static<typeof ThreadHistoryParams>;
export type ThreadHistoryResult = Static<typeof ThreadHistoryResult>;
export type ThreadSearchParams = Static<typeof ThreadSearchParams>;
export type ThreadSearchResult = Static<typeof ThreadSearchResult>;

export const turnMethods = defineMethods({
  'turn/start': { params: TurnStartParams, result: TurnStartResult },
  'turn/cancel': { params: TurnCancelParams, result: TurnCancelResult },
  'turn/get': { params: TurnGetParams, result: TurnGetResult },
  'turn/items': { params: TurnItemsParams, result: TurnItemsResult },
  'turn/timeline': { params: TurnTimelineParams, result: TurnTimelineResult },
  'turn/event/append': { params: TurnEventAppendParams, result: TurnEventAppendResult },
  'thread/history': { params: ThreadHistoryParams, result: ThreadHistoryResult },
  'thread/search': { params: ThreadSearchParams, result: ThreadSearchResult },
});
