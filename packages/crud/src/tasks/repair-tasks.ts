import type { RepairCount } from '../repair/repair-turns.js';
import type { WriteContext } from '../port/types.js';
import { appendTaskEvent, lockTaskState } from './task-events.js';
import { RUN_COLUMNS, toRun, type Row } from './task-rows.js';
import type { TaskDeps } from './task-types.js';
import { recoverExpiredLeases } from './scheduler/recover-runs.js';

/** The task read-model invariants startup repair restores (ARCHITECTURE.md, "Recovery"). */
export type TaskRepairKind =
  /** A completed, failed or cancelled task without `completed_at`. */
  | 'terminal_task_without_completion_time'
  /** An ended run without `completed_at`. */
  | 'terminal_run_without_completion_time'
  /** A starting or running run whose lease expired: its scheduler is gone (failed `lease_expired`, retried per policy). */
  | 'running_run_lease_expired';

export const TASK_REPAIR_KINDS: readonly TaskRepairKind[] = ['terminal_task_without_completion_time', 'terminal_run_without_completion_time', 'running_run_lease_expired'];

export type TaskRepairReport = Record<TaskRepairKind, RepairCount>;

// Each starts from a status index (`idx_task_status_completed`, `idx_task_run_status_completed`,
// `idx_task_run_lease`): a pass costs the size of the damage, not of the history.
const TASKS_WITHOUT_TIME = "SELECT task_id, workspace_id FROM task WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at IS NULL ORDER BY task_id LIMIT ?";
const RUNS_WITHOUT_TIME = `SELECT ${RUN_COLUMNS} FROM task_run WHERE status IN ('succeeded', 'failed', 'cancelled', 'timed_out') AND completed_at IS NULL ORDER BY run_id LIMIT ?`;
const EXPIRED = "SELECT run_id FROM task_run WHERE lease_expires_at IS NOT NULL AND lease_expires_at <= ? AND status IN ('starting', 'running') LIMIT ?";

async function count(ctx: { all: WriteContext['all'] }, kind: TaskRepairKind, now: string, limit: number): Promise<number> {
  if (kind === 'terminal_task_without_completion_time') return (await ctx.all(TASKS_WITHOUT_TIME, [limit])).length;
  if (kind === 'terminal_run_without_completion_time') return (await ctx.all(RUNS_WITHOUT_TIME, [limit])).length;
  return (await ctx.all(EXPIRED, [now, limit])).length;
}

/**
 * Startup repair of the task read models. Each fix is a journaled `task.repaired` event
 * (`reason: 'repaired_after_crash'`, keyed by the damage and the task's sequence so a repair
 * interrupted and run again never applies twice), so a rebuild from the journal reproduces it;
 * the completion time given is the repair's `now`. Expired leases are recovered exactly as
 * the reconciler does (`recoverExpiredLeases`).
 */
export async function repairTasks(deps: TaskDeps, options: { now?: string; batch?: number } = {}): Promise<TaskRepairReport> {
  const now = options.now ?? deps.context.now();
  const batch = Math.max(1, options.batch ?? 500);
  const report = {} as TaskRepairReport;
  for (const kind of TASK_REPAIR_KINDS) report[kind] = { detected: await deps.context.read((q) => count(q, kind, now, batch)), repaired: 0, remaining: 0 };

  report.terminal_task_without_completion_time.repaired = await deps.context.write(async (ctx) => {
    let repaired = 0;
    const rows = await ctx.all<{ task_id: string; workspace_id: string }>(TASKS_WITHOUT_TIME, [batch]);
    for (const row of [...rows].sort((a, b) => (a.workspace_id < b.workspace_id ? -1 : a.workspace_id > b.workspace_id ? 1 : 0))) {
      const state = await lockTaskState(ctx, row.task_id, row.workspace_id);
      if (!state || state.task.completed_at !== null) continue;
      const task = { ...state.task, completed_at: now, updated_at: now };
      const result = await appendTaskEvent(ctx, deps, 'task.repaired', { task, reason: 'repaired_after_crash' }, {
        now,
        idempotencyKey: `repair:terminal_task_without_completion_time:${task.task_id}:${state.task.last_seq}`,
      });
      if (result.outcome === 'applied' && !result.duplicate) repaired++;
    }
    return repaired;
  });

  report.terminal_run_without_completion_time.repaired = await deps.context.write(async (ctx) => {
    let repaired = 0;
    const runs = (await ctx.all<Row>(RUNS_WITHOUT_TIME, [batch])).map(toRun);
    for (const run of [...runs].sort((a, b) => (a.workspace_id < b.workspace_id ? -1 : a.workspace_id > b.workspace_id ? 1 : 0))) {
      const state = await lockTaskState(ctx, run.task_id, run.workspace_id);
      if (!state) continue;
      const fixed = { ...run, completed_at: now, lease_expires_at: null, timeout_at: null };
      const result = await appendTaskEvent(ctx, deps, 'task.repaired', { task: { ...state.task, updated_at: now }, runs: [fixed], reason: 'repaired_after_crash' }, {
        now,
        idempotencyKey: `repair:terminal_run_without_completion_time:${run.run_id}:${state.task.last_seq}`,
      });
      if (result.outcome === 'applied' && !result.duplicate) repaired++;
    }
    return repaired;
  });

  report.running_run_lease_expired.repaired = (await recoverExpiredLeases(deps, { now: new Date(now), limit: batch })).ended.length;
  for (const kind of TASK_REPAIR_KINDS) report[kind].remaining = await deps.context.read((q) => count(q, kind, now, batch));
  return report;
}
