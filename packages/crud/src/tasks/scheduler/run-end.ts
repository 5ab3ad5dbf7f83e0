import type { Task, TaskDelivery, TaskError, TaskRun } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { appendTaskEvent, newRun, type TaskState } from '../task-events.js';
import { findTask } from '../task-rows.js';
import { addMs, deliveryMaxAttempts, deriveStatus, isTerminalTask, retryDelayMs, withStatus } from '../task-status.js';
import type { CompleteRunResult, RunOutcome, TaskDeps } from '../task-types.js';
import { settleDependents } from './dependencies.js';
import { releaseHolderLocks } from './write-locks.js';

const EVENT_OF = {
  succeeded: 'task.run.succeeded',
  failed: 'task.run.failed',
  timed_out: 'task.run.timed_out',
  cancelled: 'task.run.cancelled',
} as const;

export interface EndRunInput {
  state: TaskState;
  run: TaskRun;
  outcome: RunOutcome;
  now: string;
  result?: unknown;
  error?: TaskError | null;
  idempotencyKey?: string;
}

/**
 * Ends one open run, inside the caller's write job (the task's workspace locked): the run
 * takes its final status; a `failed` or `timed_out` run gets its next attempt when the retry
 * policy allows one (queued at the backoff time, same trigger and instant); otherwise this was
 * the firing's final outcome: the task records it and the deliveries it asks for are created.
 * The task's status follows; the run's write locks are released; and when the task ended,
 * its dependents are settled (queued, or ended per `on_unmet`).
 */
export async function endRun(ctx: WriteContext, deps: TaskDeps, input: EndRunInput): Promise<CompleteRunResult> {
  const { state, run, outcome, now } = input;
  let task = state.task;
  const ended: TaskRun = {
    ...run,
    status: outcome,
    completed_at: now,
    lease_expires_at: null,
    timeout_at: null,
    result: input.result === undefined ? null : input.result,
    error: input.error ?? null,
  };
  let retry: TaskRun | null = null;
  if ((outcome === 'failed' || outcome === 'timed_out') && task.status !== 'cancelled') {
    const delay = retryDelayMs(task.retry, run.attempt + 1);
    if (delay !== null) {
      retry = newRun(deps, task, run.trigger_id, run.scheduled_for, run.attempt + 1, addMs(now, delay), now);
      ended.retried_by_run_id = retry.run_id;
    }
  }
  const open = state.open.filter((r) => r.run_id !== run.run_id);
  if (retry) open.push(retry);
  let deliveries: TaskDelivery[] = [];
  if (!retry) {
    task = { ...task, result: ended.result, error: ended.error };
    deliveries = createDeliveries(deps, task, ended, now);
  }
  task = { ...task, run_count: task.run_count + (retry ? 1 : 0), last_run_id: retry ? retry.run_id : task.last_run_id };
  if (task.status === 'paused') task = { ...task, updated_at: now };
  else task = withStatus(task, deriveStatus(open, state.triggers, retry ? null : outcome), now);
  await appendTaskEvent(
    ctx,
    deps,
    EVENT_OF[outcome],
    { task, run: ended, retry, runs: retry ? [ended, retry] : [ended], deliveries },
    { now, idempotencyKey: input.idempotencyKey, threadId: ended.thread_id },
  );
  const locks = await releaseHolderLocks(ctx, deps, run.run_id, now);
  const settled = isTerminalTask(task.status) ? await settleDependents(ctx, deps, task.task_id, now) : { queued: [], ended: [] };
  // The task as stored: the event's sequence, unless releasing locks appended more to its stream.
  const after = locks.released.length > 0 ? (await findTask(ctx, task.task_id))! : { ...task, last_seq: task.last_seq + 1 };
  return { run: ended, task: after, retry, dependents_queued: settled.queued, dependents_ended: settled.ended, deliveries };
}

/** The deliveries a run's final outcome asks for, per the task's specs and their `on`. */
function createDeliveries(deps: TaskDeps, task: Task, run: TaskRun, now: string): TaskDelivery[] {
  const success = run.status === 'succeeded';
  const out: TaskDelivery[] = [];
  for (const spec of task.deliveries) {
    const on = spec.on ?? 'always';
    if ((on === 'success' && !success) || (on === 'failure' && success)) continue;
    out.push({
      delivery_id: deps.context.newId('dlv'),
      task_id: task.task_id,
      run_id: run.run_id,
      workspace_id: task.workspace_id,
      kind: spec.kind,
      thread_id: spec.kind === 'thread' ? spec.thread_id : spec.kind === 'owner_thread' ? task.owner_thread_id : null,
      url: spec.kind === 'webhook' ? spec.url : null,
      secret_ref: spec.kind === 'webhook' ? (spec.secret_ref ?? null) : null,
      on,
      status: 'pending',
      payload: { task_id: task.task_id, title: task.title, run_id: run.run_id, attempt: run.attempt, status: run.status, result: run.result, error: run.error },
      attempts: 0,
      max_attempts: deliveryMaxAttempts(task.delivery_policy),
      next_attempt_at: now,
      lease_owner: null,
      lease_expires_at: null,
      last_error: null,
      created_at: now,
      delivered_at: null,
    });
  }
  return out;
}
