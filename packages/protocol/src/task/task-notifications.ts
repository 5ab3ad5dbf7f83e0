import { Type } from 'typebox';
import { ThreadId, Timestamp, WorkspaceId } from '../common/ids.js';
import { Task, TaskDelivery, TaskRun } from './task-records.js';
import { TaskId } from './task-specs.js';

/*
 * The task notifications. Each is built from one journaled task event: the envelope (its
 * workspace, `seq`, time), the stream id as `task_id`, and the payload's fields. Every task
 * event's payload carries `task` (the row as the event left it), and run and delivery events
 * carry `run` / `delivery` likewise, so a notification is the event, never a read of the store.
 */
const Envelope = { workspace_id: WorkspaceId, seq: Type.Integer({ minimum: 1 }), recorded_at: Timestamp, task_id: TaskId };

/** `task.created`. */
export const TaskCreatedNotification = Type.Object({ ...Envelope, task: Task });
/** The task's row changed (paused, resumed, cancelled, rescheduled, completed, failed, repaired at startup, a run queued): `change` names the event type. */
export const TaskUpdatedNotification = Type.Object({ ...Envelope, task: Task, change: Type.Optional(Type.String()) });
/** `task.run.started`: the executor reported the run running. */
export const TaskRunStartedNotification = Type.Object({ ...Envelope, task: Task, run: TaskRun });
/** `task.run.succeeded` and `task.run.cancelled`: `run.status` says which. */
export const TaskRunCompletedNotification = Type.Object({ ...Envelope, task: Task, run: TaskRun, retry: Type.Optional(Type.Union([TaskRun, Type.Null()])) });
/** `task.run.failed` and `task.run.timed_out`; `retry` is the next attempt when the retry policy scheduled one. */
export const TaskRunFailedNotification = Type.Object({ ...Envelope, task: Task, run: TaskRun, retry: Type.Optional(Type.Union([TaskRun, Type.Null()])) });
/** `task.delivery.delivered`: `thread_id` is the target thread (the event's envelope thread), null for a webhook. */
export const TaskDeliveryDeliveredNotification = Type.Object({ ...Envelope, task: Task, delivery: TaskDelivery, thread_id: Type.Optional(Type.Union([ThreadId, Type.Null()])) });

/**
 * Every event type of the task stream (crud's `TaskProjector` handles exactly these), with
 * the notification it becomes, or null.
 */
export const TASK_EVENT_NOTIFICATIONS = {
  'task.created': 'task/created',
  'task.paused': 'task/updated',
  'task.resumed': 'task/updated',
  'task.cancelled': 'task/updated',
  'task.rescheduled': 'task/updated',
  'task.completed': 'task/updated',
  'task.failed': 'task/updated',
  'task.repaired': 'task/updated',
  'task.trigger.fired': 'task/updated',
  'task.run.started': 'task/run/started',
  'task.run.succeeded': 'task/run/completed',
  'task.run.cancelled': 'task/run/completed',
  'task.run.failed': 'task/run/failed',
  'task.run.timed_out': 'task/run/failed',
  'task.delivery.delivered': 'task/delivery/delivered',
  'task.delivery.attempted': null,
  'task.delivery.failed': null,
  'task.lock.acquired': null,
  'task.lock.queued': null,
  'task.lock.released': null,
} as const;

/** Why the task events without a notification stay off the wire. */
export const TASK_UNMAPPED_EVENT_REASONS = {
  'task.delivery.attempted': 'a failed delivery attempt that will be retried: delivery bookkeeping, read with task/deliveries',
  'task.delivery.failed': 'a delivery that ran out of attempts: read with task/deliveries (the run itself was already notified)',
  'task.lock.acquired': 'write-lock bookkeeping of the scheduler; the run notifications say what the run did',
  'task.lock.queued': 'write-lock bookkeeping of the scheduler; the run notifications say what the run did',
  'task.lock.released': 'write-lock bookkeeping of the scheduler; the run notifications say what the run did',
} as const;

/** The task event type names, in the order above. */
export type TaskEventType = keyof typeof TASK_EVENT_NOTIFICATIONS;
export const TASK_EVENT_TYPES = Object.keys(TASK_EVENT_NOTIFICATIONS) as TaskEventType[];
