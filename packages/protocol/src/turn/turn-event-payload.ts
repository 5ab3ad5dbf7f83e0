import { Type, type Static } from 'typebox';
import { Timestamp } from '../common/ids.js';
import { SandboxPolicy } from '../thread/sandbox-policy.js';
import { LIMITS } from '../common/limits.js';
import { ItemId, RecoveryId } from './turn-ids.js';
import { Attempt, ItemPayload, ItemTerminalStatus, ModelName, Reason, RepairMarker, TurnError, TurnInput, TurnItemType } from './turn-values.js';

const strict = { additionalProperties: false } as const;

/** The turn begins: what the user sent, and the sandbox policy it runs under (which becomes the thread's). */
export const TurnStartedEvent = Type.Object({ type: Type.Literal('turn.started'),
  input: TurnInput,
  sandbox_policy: Type.Optional(SandboxPolicy),
  model: Type.Optional(ModelName),
}, strict);

/** An item begins (attempt 1 unless a retry is replaying it). `timeout_ms` arms timeout detection. */
export const ItemStartedEvent = Type.Object({ type: Type.Literal('item.started'),
  item_id: ItemId,
  item_type: TurnItemType,
  attempt: Type.Optional(Attempt),
  payload: Type.Optional(ItemPayload),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 1 })),
}, strict);

/** Replaces the item's payload (arguments streamed in, command output so far, ...). */
export const ItemUpdatedEvent = Type.Object({ type: Type.Literal('item.updated'), item_id: ItemId, payload: ItemPayload }, strict);

/** Appends text to an `agent_message` or `reasoning` item. */
export const ItemAgentMessageDeltaEvent = Type.Object({ type: Type.Literal('item.agent_message.delta'),
  item_id: ItemId,
  delta: Type.String({ minLength: 1, maxLength: LIMITS.turn.deltaLength }),
}, strict);

/** The item ends. `text`, when given, replaces the text accumulated from deltas. */
export const ItemCompletedEvent = Type.Object({ type: Type.Literal('item.completed'),
  item_id: ItemId,
  status: ItemTerminalStatus,
  text: Type.Optional(Type.String({ maxLength: LIMITS.turn.itemTextLength })),
  payload: Type.Optional(ItemPayload),
  error: Type.Optional(TurnError),
  reason: Type.Optional(Reason),
  repair: Type.Optional(RepairMarker),
}, strict);

/** The runtime noticed the item's current attempt overran its deadline; a retry may follow. */
export const ItemTimeoutDetectedEvent = Type.Object({ type: Type.Literal('item.timeout_detected'),
  item_id: ItemId,
  timeout_ms: Type.Optional(Type.Integer({ minimum: 1 })),
}, strict);

export const RecoveryOpenedEvent = Type.Object({ type: Type.Literal('recovery.opened'),
  recovery_id: RecoveryId,
  item_id: Type.Optional(ItemId),
  reason: Reason,
  /** When the first retry is due (recovery jobs wait for it). */
  due_at: Type.Optional(Timestamp),
  /** What failed, as the provider reported it (recovery jobs keep it); redacted before it is stored. */
  failure: Type.Optional(ItemPayload),
}, strict);

/** The next attempt of an item is due at `due_at`. */
export const RetryScheduledEvent = Type.Object({ type: Type.Literal('retry.scheduled'),
  recovery_id: Type.Optional(RecoveryId),
  item_id: ItemId,
  attempt: Attempt,
  due_at: Timestamp,
  reason: Type.Optional(Reason),
}, strict);

export const RetryAttemptStartedEvent = Type.Object({ type: Type.Literal('retry.attempt_started'),
  recovery_id: Type.Optional(RecoveryId),
  item_id: ItemId,
  attempt: Attempt,
}, strict);

export const RecoverySucceededEvent = Type.Object({ type: Type.Literal('recovery.succeeded'), recovery_id: RecoveryId }, strict);
export const RecoveryExhaustedEvent = Type.Object({ type: Type.Literal('recovery.exhausted'), recovery_id: RecoveryId, reason: Type.Optional(Reason) }, strict);

/** The agent used up its tool-call budget for this turn; the turn usually ends next. */
export const TurnToolLoopBudgetExhaustedEvent = Type.Object({ type: Type.Literal('turn.tool_loop.budget_exhausted'),
  budget: Type.Integer({ minimum: 0 }),
  used: Type.Integer({ minimum: 0 }),
}, strict);

export const TurnUsage = Type.Object(
  {
    input_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
    output_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
    cached_input_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  strict,
);

/** Every item must be closed first; `turn.failed` and `turn.cancelled` close open items themselves. */
export const TurnCompletedEvent = Type.Object({ type: Type.Literal('turn.completed'), usage: Type.Optional(TurnUsage), repair: Type.Optional(RepairMarker) }, strict);
export const TurnFailedEvent = Type.Object({ type: Type.Literal('turn.failed'), error: TurnError, repair: Type.Optional(RepairMarker) }, strict);
export const TurnCancelledEvent = Type.Object({ type: Type.Literal('turn.cancelled'), reason: Type.Optional(Reason), repair: Type.Optional(RepairMarker) }, strict);

/** One thing that happened in a turn, as a runtime reports it (`turn/event/append`). Discriminated by `type`. */
export const TurnEventPayload = Type.Union([
  TurnStartedEvent,
  ItemStartedEvent,
  ItemUpdatedEvent,
  ItemAgentMessageDeltaEvent,
  ItemCompletedEvent,
  ItemTimeoutDetectedEvent,
  RecoveryOpenedEvent,
  RetryScheduledEvent,
  RetryAttemptStartedEvent,
  RecoverySucceededEvent,
  RecoveryExhaustedEvent,
  TurnToolLoopBudgetExhaustedEvent,
  TurnCompletedEvent,
  TurnFailedEvent,
  TurnCancelledEvent,
]);
export type TurnEventPayload = Static<typeof TurnEventPayload>;
export type TurnEventType = TurnEventPayload['type'];
export type TurnEventOf<K extends TurnEventType> = Extract<TurnEventPayload, { type: K }>;

/** Every event type, read off the union (so a new event needs no second list). */
export const TURN_EVENT_TYPES: readonly TurnEventType[] = Object.freeze(TurnEventPayload.anyOf.map((event) => event.properties.type.const));
const TURN_EVENT_TYPE_SET: ReadonlySet<string> = new Set(TURN_EVENT_TYPES);

export function isTurnEventType(value: unknown): value is TurnEventType {
  return typeof value === 'string' && TURN_EVENT_TYPE_SET.has(value);
}
