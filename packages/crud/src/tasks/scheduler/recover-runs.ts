import { CairnError, type TaskError, type TaskRun } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { lockTaskState } from '../task-events.js';
import type { RecoveryStep, RunOutcome, RunRecoveryResult, TaskDeps } from '../task-types.js';
import { endRun } from './run-end.js';

// Both scans are one index range: `idx_task_run_lease` / `idx_task_run_timeout` hold only open runs.
const EXPIRED_LEASES = `SELECT run_id, task_id, workspace_id FROM task_run
  WHERE lease_expires_at IS NOT NULL AND lease_expires_at <= ? AND status IN ('starting', 'running') ORDER BY lease_expires_at, run_id LIMIT ?`;
const PAST_DEADLINE = `SELECT run_id, task_id, workspace_id FROM task_run
  WHERE timeout_at IS NOT NULL AND timeout_at <= ? AND status IN ('queued', 'starting', 'running') ORDER BY timeout_at, run_id LIMIT ?`;

type Found = { run_id: string; task_id: string; workspace_id: string };

function checkRecovery(operation: string, input: RecoveryStep): number {
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) throw new CairnError('invalid_params', `${operation}: now must be a valid Date`);
  const limit = input.limit ?? 500;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CairnError('invalid_params', `${operation}: limit must be an integer from 1 to 10000`);
  return limit;
}

/**
 * Ends each found run whose condition still holds under its workspace's lock (workspaces in
 * id order: never a deadlock with another scheduler doing the same), retrying per policy.
 */
async function endFound(
  ctx: WriteContext,
  deps: TaskDeps,
  found: readonly Found[],
  now: string,
  judge: (run: TaskRun, timeoutsOf: { queue_ms?: number; run_ms?: number; heartbeat_ms?: number }) => { outcome: RunOutcome; error: TaskError } | null,
): Promise<RunRecoveryResult> {
  const out: RunRecoveryResult = { ended: [], retried: [], failed: [] };
  const ordered = [...found].sort((a, b) => (a.workspace_id < b.workspace_id ? -1 : a.workspace_id > b.workspace_id ? 1 : 0));
  for (const f of ordered) {
    const state = await lockTaskState(ctx, f.task_id, f.workspace_id);
    const run = state?.open.find((r) => r.run_id === f.run_id);
    if (!state || !run) continue;
    const verdict = judge(run, state.task.timeouts);
    if (!verdict) continue;
    const result = await endRun(ctx, deps, { state, run, outcome: verdict.outcome, now, error: verdict.error, idempotencyKey: `run:${run.run_id}:end` });
    out.ended.push(result.run);
    if (result.retry) out.retried.push(result.retry);
    else if (result.run.status !== 'succeeded') out.failed.push(result.run);
  }
  return out;
}

/**
 * Runs whose lease expired at `now` (the scheduler that held them died or lost the database):
 * `failed` with `lease_expired`, then the retry policy. What startup recovery and the
 * reconciler call.
 */
export async function recoverExpiredLeases(deps: TaskDeps, input: RecoveryStep): Promise<RunRecoveryResult> {
  const limit = checkRecovery('recoverExpiredLeases', input);
  const now = input.now.toISOString();
  const nowMs = input.now.getTime();
  return deps.context.write(async (ctx) => {
    const found = await ctx.all<Found>(EXPIRED_LEASES, [now, limit]);
    return endFound(ctx, deps, found, now, (run) =>
      run.lease_expires_at !== null && Date.parse(run.lease_expires_at) <= nowMs && (run.status === 'starting' || run.status === 'running')
        ? { outcome: 'failed', error: { code: 'lease_expired', message: `the lease of ${run.lease_owner ?? 'its scheduler'} expired at ${run.lease_expires_at}` } }
        : null,
    );
  });
}

/** Runs past a queue, run or heartbeat deadline at `now`: `timed_out` (`queue_timeout`, `run_timeout`, `heartbeat_timeout`), then the retry policy. */
export async function expireTimeouts(deps: TaskDeps, input: RecoveryStep): Promise<RunRecoveryResult> {
  const limit = checkRecovery('expireTimeouts', input);
  const now = input.now.toISOString();
  const nowMs = input.now.getTime();
  return deps.context.write(async (ctx) => {
    const found = await ctx.all<Found>(PAST_DEADLINE, [now, limit]);
    return endFound(ctx, deps, found, now, (run, timeouts) => {
      if (run.timeout_at === null || Date.parse(run.timeout_at) > nowMs) return null;
      let code = 'queue_timeout';
      if (run.status !== 'queued') {
        const runDeadline = timeouts.run_ms === undefined || run.claimed_at === null ? Infinity : Date.parse(run.claimed_at) + timeouts.run_ms;
        code = runDeadline <= nowMs ? 'run_timeout' : 'heartbeat_timeout';
      }
      return { outcome: 'timed_out', error: { code, message: `the run passed its ${code.replace('_', ' ')} at ${run.timeout_at}` } };
    });
  });
}
