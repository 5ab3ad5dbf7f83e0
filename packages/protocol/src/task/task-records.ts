import { Type, type Static } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId } from '../common/ids.js';
import {
  DeliveryOn,
  DeliveryPolicy,
  DeliverySpec,
  DependencyCondition,
  DependencyUnmetPolicy,
  ExecutorKind,
  LockSpec,
  RetryPolicy,
  SchedulerOwner,
  TASK_LIMITS,
  TaskDeliveryId,
  TaskError,
  TaskId,
  TaskRunId,
  TaskRunStatus,
  TaskStatus,
  TaskTriggerId,
  TimeoutPolicy,
  TriggerSpec,
  WriteLockId,
} from './task-specs.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
/** Any JSON value (a task's input, a run's result, an executor's config). */
const Json = Type.Unknown();

/** A task: what runs, when (its triggers), under which policies, and where it stands. */
export const Task = Type.Object({
  task_id: TaskId,
  workspace_id: WorkspaceId,
  /** The root of its tree (itself for a root task). */
  root_task_id: TaskId,
  parent_task_id: Nullable(TaskId),
  /** 0 for a root task, its parent's + 1 below. */
  depth: Type.Integer({ minimum: 0 }),
  title: Type.String({ maxLength: TASK_LIMITS.titleLength }),
  status: TaskStatus,
  /** The status `task/resume` returns a paused task to. */
  paused_from: Nullable(TaskStatus),
  executor_kind: ExecutorKind,
  /** Executor-specific settings (the `system` action, the tool name, the webhook URL...). */
  executor_config: Json,
  /** What every run receives. */
  input: Json,
  /** The thread that asked for the task (deliveries of kind `owner_thread` go there). */
  owner_thread_id: Nullable(ThreadId),
  retry: RetryPolicy,
  timeouts: TimeoutPolicy,
  deliveries: Type.Array(DeliverySpec),
  delivery_policy: DeliveryPolicy,
  lock: Nullable(LockSpec),
  /** Runs created so far (every attempt of every firing). */
  run_count: Type.Integer({ minimum: 0 }),
  last_run_id: Nullable(TaskRunId),
  /** The last final outcome's result or error. */
  result: Json,
  error: Nullable(TaskError),
  created_at: Timestamp,
  updated_at: Timestamp,
  /** Set exactly when the status is terminal. */
  completed_at: Nullable(Timestamp),
  /** The task stream's sequence of the last event applied. */
  last_seq: Type.Integer({ minimum: 0 }),
});
export type Task = Static<typeof Task>;

/** Trigger status: `active` (may fire), `paused` (with its task), `done` (a one-shot that fired, or past `end_at`), `cancelled`. */
export const TaskTriggerStatus = Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('done'), Type.Literal('cancelled')]);
export type TaskTriggerStatus = Static<typeof TaskTriggerStatus>;

/** One trigger of a task, with its next due instant (null while it waits on something else: manual, dependency, paused, done). */
export const TaskTrigger = Type.Object({
  trigger_id: TaskTriggerId,
  task_id: TaskId,
  workspace_id: WorkspaceId,
  spec: TriggerSpec,
  status: TaskTriggerStatus,
  next_fire_at: Nullable(Timestamp),
  last_fired_at: Nullable(Timestamp),
  fire_count: Type.Integer({ minimum: 0 }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type TaskTrigger = Static<typeof TaskTrigger>;

/** One attempt of one firing. (`trigger_id`, `scheduled_for`, `attempt`) is unique: a firing happens once. */
export const TaskRun = Type.Object({
  run_id: TaskRunId,
  task_id: TaskId,
  workspace_id: WorkspaceId,
  trigger_id: TaskTriggerId,
  /** The due instant this run is for (the firing's instant; the same for every retry of it). */
  scheduled_for: Timestamp,
  /** 1 for the firing, 2.. for retries. */
  attempt: Type.Integer({ minimum: 1 }),
  status: TaskRunStatus,
  executor_kind: ExecutorKind,
  /** When it may be claimed (its backoff for a retry). */
  ready_at: Timestamp,
  lease_owner: Nullable(SchedulerOwner),
  lease_expires_at: Nullable(Timestamp),
  /** How many times it was claimed: a fencing token. */
  claim_count: Type.Integer({ minimum: 0 }),
  last_heartbeat_at: Nullable(Timestamp),
  /** The earliest of its queue, run and heartbeat deadlines that applies in its status. */
  timeout_at: Nullable(Timestamp),
  /** An `agent` run's subagent thread and turn, once started. */
  thread_id: Nullable(ThreadId),
  turn_id: Nullable(TurnId),
  result: Json,
  error: Nullable(TaskError),
  queued_at: Timestamp,
  claimed_at: Nullable(Timestamp),
  started_at: Nullable(Timestamp),
  completed_at: Nullable(Timestamp),
  /** Whether ending this run scheduled another attempt. */
  retried_by_run_id: Nullable(TaskRunId),
});
export type TaskRun = Static<typeof TaskRun>;

/** `task_id` runs when `condition` holds over its upstream tasks (one row per upstream). */
export const TaskDependency = Type.Object({
  task_id: TaskId,
  depends_on_task_id: TaskId,
  workspace_id: WorkspaceId,
  trigger_id: TaskTriggerId,
  condition: DependencyCondition,
  on_unmet: DependencyUnmetPolicy,
});
export type TaskDependency = Static<typeof TaskDependency>;

/** What an `agent` task's subagent gets. */
export const AgentSpec = Type.Object({
  task_id: TaskId,
  workspace_id: WorkspaceId,
  model: Nullable(Type.String()),
  instructions: Type.String(),
  tools: Type.Array(Type.String()),
  max_turns: Nullable(Type.Integer()),
  max_tokens: Nullable(Type.Integer()),
});
export type AgentSpec = Static<typeof AgentSpec>;

/** `pending` (waits for `next_attempt_at`), `delivering` (claimed), `delivered`, `failed` (attempts exhausted). */
export const TaskDeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivering'), Type.Literal('delivered'), Type.Literal('failed')]);
export type TaskDeliveryStatus = Static<typeof TaskDeliveryStatus>;

/** One run outcome on its way to one target. */
export const TaskDelivery = Type.Object({
  delivery_id: TaskDeliveryId,
  task_id: TaskId,
  run_id: TaskRunId,
  workspace_id: WorkspaceId,
  kind: Type.Union([Type.Literal('owner_thread'), Type.Literal('thread'), Type.Literal('webhook')]),
  /** The target thread (owner thread resolved), or null for a webhook. */
  thread_id: Nullable(ThreadId),
  url: Nullable(Type.String()),
  secret_ref: Nullable(Type.String()),
  on: DeliveryOn,
  status: TaskDeliveryStatus,
  /** The run's final status and result or error, as delivered. */
  payload: Json,
  attempts: Type.Integer({ minimum: 0 }),
  max_attempts: Type.Integer({ minimum: 1 }),
  next_attempt_at: Nullable(Timestamp),
  lease_owner: Nullable(SchedulerOwner),
  lease_expires_at: Nullable(Timestamp),
  last_error: Nullable(Type.String()),
  created_at: Timestamp,
  delivered_at: Nullable(Timestamp),
});
export type TaskDelivery = Static<typeof TaskDelivery>;

/** One try of one delivery. */
export const TaskDeliveryAttempt = Type.Object({
  delivery_id: TaskDeliveryId,
  attempt: Type.Integer({ minimum: 1 }),
  workspace_id: WorkspaceId,
  owner: SchedulerOwner,
  outcome: Type.Union([Type.Literal('delivered'), Type.Literal('failed')]),
  response_status: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  attempted_at: Timestamp,
});
export type TaskDeliveryAttempt = Static<typeof TaskDeliveryAttempt>;

/** A write lock held (or queued for) by a run. `path` is `''` for a workspace lock. */
export const WriteLock = Type.Object({
  lock_id: WriteLockId,
  workspace_id: WorkspaceId,
  scope: Type.Union([Type.Literal('workspace'), Type.Literal('path')]),
  path: Type.String(),
  holder_run_id: TaskRunId,
  task_id: TaskId,
  status: Type.Union([Type.Literal('held'), Type.Literal('queued')]),
  acquired_at: Nullable(Timestamp),
  expires_at: Nullable(Timestamp),
  ttl_ms: Type.Integer({ minimum: 1 }),
  queued_at: Timestamp,
});
export type WriteLock = Static<typeof WriteLock>;

/** One journaled event of a task's stream, as `task/events` lists it. */
export const AppendedTaskEvent = Type.Object({
  /** The journal position: unique across the gateway. */
  event_id: Type.Integer({ minimum: 1 }),
  task_id: TaskId,
  run_id: Nullable(TaskRunId),
  thread_id: Nullable(ThreadId),
  turn_id: Nullable(TurnId),
  /** The task stream's sequence, 1, 2, 3, ... */
  sequence: Type.Integer({ minimum: 1 }),
  /** The workspace's journal position (`seq` of the notifications). */
  seq: Type.Integer({ minimum: 1 }),
  event_type: Type.String(),
  payload: Json,
  workspace_id: WorkspaceId,
  root_task_id: TaskId,
  parent_task_id: Nullable(TaskId),
  timestamp: Timestamp,
});
export type AppendedTaskEvent = Static<typeof AppendedTaskEvent>;
