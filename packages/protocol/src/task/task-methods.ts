import { Type, type Static } from 'typebox';
import { ThreadId, Timestamp, WorkspaceId } from '../common/ids.js';
import { Cursor, PAGE_PARAMS, Page } from '../common/pagination.js';
import { defineMethods } from '../methods/define-methods.js';
import { AgentSpec, AppendedTaskEvent, Task, TaskDelivery, TaskDeliveryAttempt, TaskDependency, TaskRun, TaskTrigger, WriteLock } from './task-records.js';
import {
  AgentSpecInput,
  DeliveryPolicy,
  DeliverySpec,
  ExecutorKind,
  LockSpec,
  RetryPolicy,
  TASK_LIMITS,
  TaskId,
  TaskStatus,
  TimeoutPolicy,
  TriggerSpec,
} from './task-specs.js';

const strict = { additionalProperties: false } as const;
const TaskRef = { workspace_id: WorkspaceId, task_id: TaskId };

/**
 * Creates a task (and its triggers, dependencies, agent spec) in one event. `task_id` is
 * client-suppliable; the same id again with the same `idempotency_key` answers the first
 * task. `parent_task_id` places it in a tree (same workspace). `draft: true` creates it
 * unarmed (`draft`, resume arms it).
 */
export const TaskCreateParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    task_id: Type.Optional(TaskId),
    parent_task_id: Type.Optional(TaskId),
    title: Type.String({ minLength: 1, maxLength: TASK_LIMITS.titleLength }),
    executor_kind: ExecutorKind,
    executor_config: Type.Optional(Type.Unknown()),
    input: Type.Optional(Type.Unknown()),
    owner_thread_id: Type.Optional(ThreadId),
    triggers: Type.Array(TriggerSpec, { minItems: 1, maxItems: TASK_LIMITS.triggersPerTask }),
    retry: Type.Optional(RetryPolicy),
    timeouts: Type.Optional(TimeoutPolicy),
    deliveries: Type.Optional(Type.Array(DeliverySpec, { maxItems: TASK_LIMITS.deliveriesPerTask })),
    delivery_policy: Type.Optional(DeliveryPolicy),
    lock: Type.Optional(LockSpec),
    agent: Type.Optional(AgentSpecInput),
    draft: Type.Optional(Type.Boolean()),
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  strict,
);
export type TaskCreateParams = Static<typeof TaskCreateParams>;

/** A task with everything about it that is small: triggers, dependencies, agent spec, latest runs. */
export const TaskDetail = Type.Object({
  task: Task,
  triggers: Type.Array(TaskTrigger),
  dependencies: Type.Array(TaskDependency),
  agent: Type.Union([AgentSpec, Type.Null()]),
  /** The most recent runs, newest first (at most 20). */
  runs: Type.Array(TaskRun),
});
export type TaskDetail = Static<typeof TaskDetail>;

export const TaskGetParams = Type.Object(TaskRef, strict);
export type TaskGetParams = Static<typeof TaskGetParams>;

/** Newest first; optionally by status, by parent (`parent_task_id`) or roots only (`roots_only`). */
export const TaskListParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    status: Type.Optional(Type.Array(TaskStatus, { minItems: 1, maxItems: 9 })),
    parent_task_id: Type.Optional(TaskId),
    roots_only: Type.Optional(Type.Boolean()),
    ...PAGE_PARAMS,
  },
  strict,
);
export type TaskListParams = Static<typeof TaskListParams>;
export const TaskListResult = Page(Task);
export type TaskListResult = Static<typeof TaskListResult>;

/** The subtree under `task_id` (itself included), parents before children. */
export const TaskTreeParams = Type.Object(TaskRef, strict);
export type TaskTreeParams = Static<typeof TaskTreeParams>;
export const TaskTreeResult = Type.Object({ root_task_id: TaskId, tasks: Type.Array(Task), truncated: Type.Boolean() });
export type TaskTreeResult = Static<typeof TaskTreeResult>;

/** The task's journaled events in order, after `after_sequence`. */
export const TaskEventsParams = Type.Object(
  { ...TaskRef, after_sequence: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  strict,
);
export type TaskEventsParams = Static<typeof TaskEventsParams>;
export const TaskEventsResult = Type.Object({ events: Type.Array(AppendedTaskEvent), next_after_sequence: Type.Union([Type.Integer(), Type.Null()]) });
export type TaskEventsResult = Static<typeof TaskEventsResult>;

/**
 * Changes of state: `reason` is stored (redacted) on the event. No `now` on the wire: the
 * gateway's clock decides (crud's store methods take `{ now }` as a second argument).
 */
const Change = { ...TaskRef, reason: Type.Optional(Type.String({ maxLength: 500 })) };
/** Cancels the task, its queued and running runs, and its pending deliveries are kept. Terminal: `conflict`. */
export const TaskCancelParams = Type.Object(Change, strict);
export type TaskCancelParams = Static<typeof TaskCancelParams>;
/** Stops firing and claiming until resumed. Terminal or already paused: `conflict`. */
export const TaskPauseParams = Type.Object(Change, strict);
export type TaskPauseParams = Static<typeof TaskPauseParams>;
/** Back to where it was paused from (a draft: armed). Not paused or draft: `conflict`. */
export const TaskResumeParams = Type.Object(Change, strict);
export type TaskResumeParams = Static<typeof TaskResumeParams>;

/**
 * Replaces the task's time triggers (`triggers`), or fires one at `run_at` (a manual trigger,
 * or the first time trigger). Terminal: `conflict`.
 */
export const TaskRescheduleParams = Type.Object(
  { ...Change, triggers: Type.Optional(Type.Array(TriggerSpec, { minItems: 1, maxItems: TASK_LIMITS.triggersPerTask })), run_at: Type.Optional(Timestamp) },
  strict,
);
export type TaskRescheduleParams = Static<typeof TaskRescheduleParams>;

export const TaskResult = Type.Object({ task: Task });
export type TaskResult = Static<typeof TaskResult>;

/** Upcoming firings of the workspace's active triggers in [`from`, `to`) (default now .. +24 h), at most `limit`. */
export const TaskAgendaParams = Type.Object(
  { workspace_id: WorkspaceId, from: Type.Optional(Timestamp), to: Type.Optional(Timestamp), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
  strict,
);
export type TaskAgendaParams = Static<typeof TaskAgendaParams>;
export const TaskAgendaEntry = Type.Object({ task_id: TaskId, trigger_id: Type.String(), title: Type.String(), fire_at: Timestamp });
export type TaskAgendaEntry = Static<typeof TaskAgendaEntry>;
export const TaskAgendaResult = Type.Object({ entries: Type.Array(TaskAgendaEntry), truncated: Type.Boolean() });
export type TaskAgendaResult = Static<typeof TaskAgendaResult>;

/** A task's deliveries, newest first, each with its attempts. */
export const TaskDeliveriesParams = Type.Object({ ...TaskRef, ...PAGE_PARAMS }, strict);
export type TaskDeliveriesParams = Static<typeof TaskDeliveriesParams>;
export const TaskDeliveryWithAttempts = Type.Object({ delivery: TaskDelivery, attempts: Type.Array(TaskDeliveryAttempt) });
export type TaskDeliveryWithAttempts = Static<typeof TaskDeliveryWithAttempts>;
export const TaskDeliveriesResult = Type.Object({ items: Type.Array(TaskDeliveryWithAttempts), next_cursor: Type.Union([Cursor, Type.Null()]) });
export type TaskDeliveriesResult = Static<typeof TaskDeliveriesResult>;

/** A task's write locks (held and queued), for `task/get` callers that want them. */
export const TaskLocksResult = Type.Object({ locks: Type.Array(WriteLock) });
export type TaskLocksResult = Static<typeof TaskLocksResult>;

/**
 * The task methods of PROTOCOL.md. NOT in `METHODS` until the gateway serves them (the
 * router needs a handler for every method): the gateway adds the group with its handlers.
 */
export const taskMethods = defineMethods({
  'task/create': { params: TaskCreateParams, result: TaskDetail },
  'task/get': { params: TaskGetParams, result: TaskDetail },
  'task/list': { params: TaskListParams, result: TaskListResult },
  'task/tree': { params: TaskTreeParams, result: TaskTreeResult },
  'task/events': { params: TaskEventsParams, result: TaskEventsResult },
  'task/cancel': { params: TaskCancelParams, result: TaskResult },
  'task/pause': { params: TaskPauseParams, result: TaskResult },
  'task/resume': { params: TaskResumeParams, result: TaskResult },
  'task/reschedule': { params: TaskRescheduleParams, result: TaskDetail },
  'task/agenda': { params: TaskAgendaParams, result: TaskAgendaResult },
  'task/deliveries': { params: TaskDeliveriesParams, result: TaskDeliveriesResult },
});
