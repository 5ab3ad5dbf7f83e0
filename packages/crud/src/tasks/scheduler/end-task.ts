import type { Task, TaskError, TaskRun } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { appendTaskEvent, type TaskState } from '../task-events.js';
import { withStatus } from '../task-status.js';
import type { TaskDeps } from '../task-types.js';
import { releaseHolderLocks } from './write-locks.js';

export interface EndTaskInput {
  state: TaskState;
  status: 'cancelled' | 'failed';
  now: string;
  reason?: string | undefined;
  error?: TaskError | null;
  idempotencyKey?: string | undefined;
}

/**
 * Ends a task that is not ended, from outside its runs (`task/cancel`, a dependency that can
 * no longer be met): its open runs are `cancelled`, its triggers disarmed, its runs' write
 * locks released, in one `task.cancelled` / `task.failed` event. Settling its dependents is
 * the caller's next step (`settleDependents`).
 */
export async function endTask(ctx: WriteContext, deps: TaskDeps, input: EndTaskInput): Promise<Task> {
  const { state, now } = input;
  const runs: TaskRun[] = state.open.map((r) => ({ ...r, status: 'cancelled', completed_at: now, lease_expires_at: null, timeout_at: null }));
  const triggers = state.triggers.filter((t) => t.status === 'active' || t.status === 'paused').map((t) => ({ ...t, status: 'cancelled' as const, next_fire_at: null, updated_at: now }));
  const task = withStatus({ ...state.task, paused_from: null, error: input.error ?? state.task.error }, input.status, now);
  await appendTaskEvent(
    ctx,
    deps,
    input.status === 'cancelled' ? 'task.cancelled' : 'task.failed',
    { task, runs, triggers, ...(input.reason === undefined ? {} : { reason: input.reason }) },
    { now, idempotencyKey: input.idempotencyKey },
  );
  for (const run of state.open) await releaseHolderLocks(ctx, deps, run.run_id, now);
  return task;
}
