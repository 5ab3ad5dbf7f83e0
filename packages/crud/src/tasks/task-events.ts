import { CairnError, type TaskEventType, type TaskRun } from '@cairn/protocol';
import type { EventAppendResult } from '../event-log/types.js';
import type { WriteContext } from '../port/types.js';
import type { TaskEventPayload } from './task-payload.js';
import type { TaskDeps } from './task-types.js';
import { findTask, openRuns, rowLock, taskTriggers, type TriggerRecord } from './task-rows.js';
import type { Task } from '@cairn/protocol';
import { queueDeadline } from './task-status.js';

export interface AppendTaskEventOptions {
  now: string;
  idempotencyKey?: string | undefined;
  /** The envelope thread (a delivery's target thread, so that thread's subscribers see it). */
  threadId?: string | null | undefined;
}

/**
 * Appends one task event through the store's event log (hash chain, idempotency key,
 * redaction; projected by `TaskProjector` in the same transaction). The caller holds the
 * task's workspace lock and read the task under it, so `last_seq + 1` is exactly the
 * sequence the event gets.
 */
export async function appendTaskEvent(
  ctx: WriteContext,
  deps: TaskDeps,
  type: TaskEventType,
  payload: Omit<TaskEventPayload, 'change'>,
  options: AppendTaskEventOptions,
): Promise<EventAppendResult> {
  const task = { ...payload.task, last_seq: payload.task.last_seq + 1 };
  const [result] = await deps.events.appendEvents(ctx, [
    {
      workspaceId: task.workspace_id,
      streamType: 'task',
      streamId: task.task_id,
      type,
      payload: { ...payload, task, change: type },
      threadId: options.threadId ?? undefined,
      idempotencyKey: options.idempotencyKey,
      recordedAt: options.now,
    },
  ]);
  return result!;
}

/** A task and what decides its status, read under its workspace's lock (runs and task row-locked on PostgreSQL). */
export interface TaskState {
  task: Task;
  triggers: TriggerRecord[];
  open: TaskRun[];
}

export async function lockTaskState(ctx: WriteContext, taskId: string, workspaceId?: string): Promise<TaskState | undefined> {
  const peek = workspaceId ?? (await findTask(ctx, taskId))?.workspace_id;
  if (peek === undefined) return undefined;
  await ctx.dialect.lockWorkspace(ctx, peek);
  const task = await findTask(ctx, taskId, rowLock(ctx));
  if (!task || task.workspace_id !== peek) return undefined;
  return { task, triggers: await taskTriggers(ctx, taskId), open: await openRuns(ctx, taskId, rowLock(ctx)) };
}

export function taskNotFound(workspaceId: string, taskId: string): CairnError {
  return new CairnError('not_found', `no task ${taskId} in workspace ${workspaceId}`, { details: { workspace_id: workspaceId, task_id: taskId } });
}

/** A new queued run of `task` for one firing (or a retry of one) at `readyAt`. */
export function newRun(deps: TaskDeps, task: Task, triggerId: string, scheduledFor: string, attempt: number, readyAt: string, now: string): TaskRun {
  return {
    run_id: deps.context.newId('run'),
    task_id: task.task_id,
    workspace_id: task.workspace_id,
    trigger_id: triggerId,
    scheduled_for: scheduledFor,
    attempt,
    status: 'queued',
    executor_kind: task.executor_kind,
    ready_at: readyAt,
    lease_owner: null,
    lease_expires_at: null,
    claim_count: 0,
    last_heartbeat_at: null,
    timeout_at: queueDeadline(task.timeouts, readyAt),
    thread_id: null,
    turn_id: null,
    result: null,
    error: null,
    queued_at: now,
    claimed_at: null,
    started_at: null,
    completed_at: null,
    retried_by_run_id: null,
  };
}
