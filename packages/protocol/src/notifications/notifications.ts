import { Type, type Static, type TObject, type TProperties } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId } from '../common/ids.js';
import { Thread } from '../thread/thread.js';
import {
  ItemAgentMessageDeltaEvent,
  ItemCompletedEvent,
  ItemStartedEvent,
  ItemTimeoutDetectedEvent,
  ItemUpdatedEvent,
  RetryScheduledEvent,
  TurnCompletedEvent,
  TurnFailedEvent,
  TurnStartedEvent,
  TurnToolLoopBudgetExhaustedEvent,
} from '../turn/turn-event-payload.js';
import { Reason } from '../turn/turn-values.js';
import {
  TASK_EVENT_NOTIFICATIONS,
  TASK_UNMAPPED_EVENT_REASONS,
  TaskCreatedNotification,
  TaskDeliveryDeliveredNotification,
  TaskRunCompletedNotification,
  TaskRunFailedNotification,
  TaskRunStartedNotification,
  TaskUpdatedNotification,
} from '../task/task-notifications.js';
import {
  ArtifactCreatedNotification,
  ArtifactDeletedNotification,
  ArtifactProjectionUpdatedNotification,
  ArtifactUpdatedNotification,
  ThreadArtifactsChangedNotification,
  WorkspaceQuotaWarningNotification,
} from '../artifact/artifact-events.js';
import { UploadChunkAckNotification } from '../transfer/transfer-schemas.js';

/**
 * Every notification carries where it sits in its workspace's journal: `seq` is the cursor a
 * client passes to `sync/resume` after a reconnect; `recorded_at` is the event's time.
 */
const Envelope = {
  workspace_id: WorkspaceId,
  seq: Type.Integer({ minimum: 1 }),
  recorded_at: Timestamp,
};
const TurnEnvelope = { ...Envelope, thread_id: ThreadId, turn_id: TurnId };

/** An event's fields without its `type` discriminator: what a notification spreads beside its envelope. */
function fieldsOf<T extends TProperties>(event: TObject<T>): Omit<T, 'type'> {
  const { type: _type, ...fields } = event.properties;
  return fields as Omit<T, 'type'>;
}

const notification = <T extends TProperties>(properties: T) => Type.Object(properties);

export const ThreadStartedNotification = notification({ ...Envelope, thread_id: ThreadId, thread: Thread });
/** The thread's row changed (moved, re-opened, retitled): `thread` is the row as that change left it. */
export const ThreadUpdatedNotification = notification({ ...Envelope, thread_id: ThreadId, thread: Thread });

/**
 * Streamed text the gateway held back because it could have been the beginning of a secret
 * (see crud's held text), released when the item ends: a client that builds an item's text
 * from its deltas appends it before the item completes.
 */
const HeldRelease = { held_release: Type.Optional(Type.String()) };
/** The same, per still-open item, when a turn fails or is cancelled. */
const HeldReleases = { held_releases: Type.Optional(Type.Record(Type.String(), Type.String())) };

export const TurnStartedNotification = notification({ ...TurnEnvelope, ...fieldsOf(TurnStartedEvent) });
/** `turn.completed` and `turn.cancelled` events: `status` says which. */
export const TurnCompletedNotification = notification({
  ...TurnEnvelope,
  status: Type.Union([Type.Literal('completed'), Type.Literal('cancelled')]),
  ...fieldsOf(TurnCompletedEvent),
  reason: Type.Optional(Reason),
  ...HeldReleases,
});
export const TurnFailedNotification = notification({ ...TurnEnvelope, ...fieldsOf(TurnFailedEvent), ...HeldReleases });
export const ItemStartedNotification = notification({ ...TurnEnvelope, ...fieldsOf(ItemStartedEvent) });
export const ItemUpdatedNotification = notification({ ...TurnEnvelope, ...fieldsOf(ItemUpdatedEvent) });
export const ItemCompletedNotification = notification({ ...TurnEnvelope, ...fieldsOf(ItemCompletedEvent), ...HeldRelease });
export const ItemAgentMessageDeltaNotification = notification({ ...TurnEnvelope, ...fieldsOf(ItemAgentMessageDeltaEvent) });
export const ItemTimeoutDetectedNotification = notification({ ...TurnEnvelope, ...fieldsOf(ItemTimeoutDetectedEvent) });
export const ItemRetryScheduledNotification = notification({ ...TurnEnvelope, ...fieldsOf(RetryScheduledEvent) });
export const TurnToolLoopBudgetExceededNotification = notification({ ...TurnEnvelope, ...fieldsOf(TurnToolLoopBudgetExhaustedEvent) });

/**
 * Notification name to params schema (PROTOCOL.md fixes the names). The task and artifact
 * notifications join when their issues serve them.
 */
export const NOTIFICATIONS = Object.freeze({
  'thread/started': ThreadStartedNotification,
  'thread/updated': ThreadUpdatedNotification,
  'turn/started': TurnStartedNotification,
  'turn/completed': TurnCompletedNotification,
  'turn/failed': TurnFailedNotification,
  'item/started': ItemStartedNotification,
  'item/updated': ItemUpdatedNotification,
  'item/completed': ItemCompletedNotification,
  'item/agent_message/delta': ItemAgentMessageDeltaNotification,
  'item/timeout_detected': ItemTimeoutDetectedNotification,
  'item/retry_scheduled': ItemRetryScheduledNotification,
  'turn/tool_loop/budget_exceeded': TurnToolLoopBudgetExceededNotification,
  'task/created': TaskCreatedNotification,
  'task/updated': TaskUpdatedNotification,
  'task/run/started': TaskRunStartedNotification,
  'task/run/completed': TaskRunCompletedNotification,
  'task/run/failed': TaskRunFailedNotification,
  'task/delivery/delivered': TaskDeliveryDeliveredNotification,
  'artifact/created': ArtifactCreatedNotification,
  'artifact/updated': ArtifactUpdatedNotification,
  'artifact/deleted': ArtifactDeletedNotification,
  'artifact/projection/updated': ArtifactProjectionUpdatedNotification,
  'thread/artifacts/changed': ThreadArtifactsChangedNotification,
  'workspace/quota/warning': WorkspaceQuotaWarningNotification,
  /** Not journaled: sent only on the uploading connection, so it carries no `seq` (see `DIRECT_NOTIFICATIONS`). */
  'artifact/upload/chunk_ack': UploadChunkAckNotification,
});

export type Notifications = typeof NOTIFICATIONS;
export type NotificationName = keyof Notifications & string;
export type NotificationParamsOf<N extends NotificationName> = Static<Notifications[N]>;
/** The notifications that come from no journaled event (no `seq`; see `DIRECT_NOTIFICATIONS`). */
export type DirectNotificationName = 'artifact/upload/chunk_ack';
/** The notifications the journal produces: each carries `workspace_id` and `seq`. */
export type JournaledNotificationName = Exclude<NotificationName, DirectNotificationName>;
/** One journaled notification as a handler receives it (what a client's `onAny` sees; direct ones go to their own handlers). */
export type AnyNotification = { [N in JournaledNotificationName]: { method: N; params: NotificationParamsOf<N> } }[JournaledNotificationName];

export function isNotificationName(name: unknown): name is NotificationName {
  return typeof name === 'string' && Object.hasOwn(NOTIFICATIONS, name);
}

/**
 * Which notification each journaled event type becomes; `null` with the reason a client never
 * sees it. A test keeps this table covering every event type the journal can hold, so a new
 * event type must be mapped or explained here.
 */
export const NOTIFICATION_OF_EVENT = Object.freeze({
  'thread.started': 'thread/started',
  'thread.updated': 'thread/updated',
  'turn.started': 'turn/started',
  'turn.completed': 'turn/completed',
  'turn.cancelled': 'turn/completed',
  'turn.failed': 'turn/failed',
  'item.started': 'item/started',
  'item.updated': 'item/updated',
  'item.completed': 'item/completed',
  'item.agent_message.delta': 'item/agent_message/delta',
  'item.timeout_detected': 'item/timeout_detected',
  'retry.scheduled': 'item/retry_scheduled',
  'turn.tool_loop.budget_exhausted': 'turn/tool_loop/budget_exceeded',
  'retry.attempt_started': null,
  'recovery.opened': null,
  'recovery.succeeded': null,
  'recovery.exhausted': null,
  'turn.prompt_manifest.recorded': null,
  'turn.skill.bound': null,
  'turn.mcp.bound': null,
  'turn.llm_context.retained': null,
  ...TASK_EVENT_NOTIFICATIONS,
  'artifact.created': 'artifact/created',
  'artifact.version_added': 'artifact/updated',
  'artifact.restored': 'artifact/updated',
  'artifact.quarantined': 'artifact/updated',
  'artifact.quarantine_released': 'artifact/updated',
  'artifact.deleted': 'artifact/deleted',
  'artifact.projection_updated': 'artifact/projection/updated',
  // Only a binding naming a thread reaches the wire (its thread's subscribers); a workspace- or task-only one is a fact for audit and rebuild.
  'artifact.bound': 'thread/artifacts/changed',
  'workspace.quota_warning': 'workspace/quota/warning',
} as const satisfies Record<string, NotificationName | null>);

/**
 * Notifications that come from no journaled event, each with why: the one exception to
 * "notifications only from the journal". They carry no `seq` and are not replayed by `sync/resume`.
 */
export const DIRECT_NOTIFICATIONS: Readonly<Record<DirectNotificationName, string>> = Object.freeze({
  'artifact/upload/chunk_ack':
    'flow control of one upload on one connection: it acknowledges a chunk as durable; a reconnected client asks artifact/upload/status for next_offset instead of a replay',
});

/** Why the unmapped event types stay off the wire (ERRORS.md-style: the table is the documentation). */
export const UNMAPPED_EVENT_REASONS: Readonly<Record<string, string>> = Object.freeze({
  'retry.attempt_started': 'runtime retry bookkeeping: the client saw item/retry_scheduled, and the retried item reports through item/updated and item/completed',
  'recovery.opened': 'opens a recovery job for the runtime; clients see item/timeout_detected or item/retry_scheduled for the same failure',
  'recovery.succeeded': 'closes the recovery job; the item and turn notifications already say how it ended',
  'recovery.exhausted': 'closes the recovery job; the turn/failed or item/completed that follows says how it ended',
  'turn.prompt_manifest.recorded': 'a turn record for runtimes and audit, read with turn/records/prompt_manifest/get',
  'turn.skill.bound': 'a turn record for runtimes and audit, read with turn/records/bindings/list',
  'turn.mcp.bound': 'a turn record for runtimes and audit, read with turn/records/bindings/list',
  'turn.llm_context.retained': 'a turn record (the LLM context may be 16 MiB), read with turn/records/llm_context/get',
  ...TASK_UNMAPPED_EVENT_REASONS,
});
