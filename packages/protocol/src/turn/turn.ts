import { Type, type Static } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId } from '../common/ids.js';
import { SandboxPolicy } from '../thread/sandbox-policy.js';
import { ItemId } from './turn-ids.js';
import { TurnUsage } from './turn-event-payload.js';
import {
  Attempt,
  AttemptStatus,
  ItemPayload,
  TurnError,
  TurnInputPart,
  TurnItemStatus,
  TurnItemType,
  TurnStatus,
} from './turn-values.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const Turn = Type.Object({
  turn_id: TurnId,
  workspace_id: WorkspaceId,
  thread_id: ThreadId,
  /** 1, 2, 3, ... in the order turns started in their thread. */
  thread_seq: Type.Integer({ minimum: 1 }),
  status: TurnStatus,
  input: Type.Array(TurnInputPart),
  /** The policy the turn ran under, when it carried one. */
  sandbox_policy: Nullable(SandboxPolicy),
  model: Nullable(Type.String()),
  error: Nullable(TurnError),
  usage: Nullable(TurnUsage),
  item_count: Type.Integer({ minimum: 0 }),
  /** Stream sequence of the last event projected into this turn. */
  last_seq: Type.Integer({ minimum: 1 }),
  started_at: Timestamp,
  updated_at: Timestamp,
  completed_at: Nullable(Timestamp),
});
export type Turn = Static<typeof Turn>;

export const TurnItemAttempt = Type.Object({
  turn_id: TurnId,
  item_id: ItemId,
  attempt: Attempt,
  status: AttemptStatus,
  started_at: Timestamp,
  ended_at: Nullable(Timestamp),
  reason: Nullable(Type.String()),
});
export type TurnItemAttempt = Static<typeof TurnItemAttempt>;

export const TurnItem = Type.Object({
  turn_id: TurnId,
  item_id: ItemId,
  thread_id: ThreadId,
  workspace_id: WorkspaceId,
  /** 1, 2, 3, ... in the order items started in their turn. */
  ordinal: Type.Integer({ minimum: 1 }),
  item_type: TurnItemType,
  status: TurnItemStatus,
  /** The current (latest) attempt. */
  attempt: Attempt,
  /** Message or reasoning text (deltas joined), or the final text a completion carried. */
  text: Nullable(Type.String()),
  payload: Nullable(ItemPayload),
  error: Nullable(TurnError),
  reason: Nullable(Type.String()),
  started_at: Timestamp,
  updated_at: Timestamp,
  completed_at: Nullable(Timestamp),
  /** Set when a timeout was detected on the current attempt; cleared by the next attempt. */
  timed_out_at: Nullable(Timestamp),
  /** When a scheduled retry is due; cleared when it starts. */
  retry_due_at: Nullable(Timestamp),
  attempts: Type.Optional(Type.Array(TurnItemAttempt)),
});
export type TurnItem = Static<typeof TurnItem>;

/** One entry of a turn's timeline: every event except text deltas, in stream order. */
export const TimelineEntry = Type.Object({
  turn_id: TurnId,
  /** The event's per-turn stream sequence. */
  seq: Type.Integer({ minimum: 1 }),
  /** The event's workspace journal position (`seq` of notifications). */
  workspace_seq: Type.Integer({ minimum: 1 }),
  type: Type.String(),
  item_id: Nullable(ItemId),
  attempt: Nullable(Attempt),
  status: Nullable(Type.String()),
  detail: Nullable(ItemPayload),
  at: Timestamp,
});
export type TimelineEntry = Static<typeof TimelineEntry>;

export const TurnStatusChange = Type.Object({
  turn_id: TurnId,
  seq: Type.Integer({ minimum: 1 }),
  from_status: Nullable(TurnStatus),
  to_status: TurnStatus,
  reason: Nullable(Type.String()),
  at: Timestamp,
});
export type TurnStatusChange = Static<typeof TurnStatusChange>;

/** A turn with (a page of) its items, as `thread/history` returns it. */
export const TurnWithItems = Type.Object({
  turn: Turn,
  items: Type.Array(TurnItem),
  /** True when the turn has more items than this page carries (the next page continues them). */
  items_truncated: Type.Boolean(),
});
export type TurnWithItems = Static<typeof TurnWithItems>;

export const SearchHit = Type.Object({
  workspace_id: WorkspaceId,
  thread_id: ThreadId,
  turn_id: TurnId,
  /** null: the hit is in the turn's input. */
  item_id: Nullable(ItemId),
  kind: Type.Union([Type.Literal('input'), Type.Literal('item')]),
  snippet: Type.String(),
  at: Timestamp,
});
export type SearchHit = Static<typeof SearchHit>;
