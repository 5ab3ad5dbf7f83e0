import { CairnError, type TaskRun } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { appendTaskEvent, lockTaskState } from '../task-events.js';
import { RUN_COLUMNS, findAgent, findRun, findTask, toRun, type Row } from '../task-rows.js';
import { activeDeadline, addMs, deriveStatus, withStatus } from '../task-status.js';
import type { ClaimedRun, ClaimRunsInput, HeartbeatRunInput, MarkRunRunningInput, TaskDeps } from '../task-types.js';
import { checkStep } from './step-input.js';

/*
 * Claims are worker state, like the recovery jobs' (a lease is who works on a run until
 * when, not a fact about the task): plain conditional UPDATEs, never journaled, so a claim
 * takes no workspace lock and two schedulers claim side by side. The first journaled fact
 * about a claimed run is `task.run.started` (markRunRunning) or its end; a rebuild from the
 * journal therefore puts a run that was only claimed back in the queue, which is right: its
 * executor had not reported anything yet.
 */

// The claim query: one range of `idx_task_run_queue` (only queued runs of live tasks have a
// queue_at). `FOR UPDATE SKIP LOCKED` on PostgreSQL: two claimers take different rows.
const CANDIDATES = `SELECT ${RUN_COLUMNS} FROM task_run WHERE queue_at IS NOT NULL AND queue_at <= ? ORDER BY queue_at, run_id LIMIT ?`;

// The claim itself re-states what makes a run claimable; a claimer that lost the race to
// this row sees `changes === 0` and moves on.
const CLAIM = `UPDATE task_run SET status = 'starting', queue_at = NULL, lease_owner = ?, lease_expires_at = ?, claim_count = claim_count + 1,
  claimed_at = ?, last_heartbeat_at = ?, timeout_at = ? WHERE run_id = ? AND status = 'queued' AND queue_at IS NOT NULL AND queue_at <= ?`;

export async function claimRuns(deps: TaskDeps, input: ClaimRunsInput): Promise<ClaimedRun[]> {
  checkStep('claimRuns', input, { owner: true, lease: true });
  const limit = input.limit ?? 10;
  const kinds = input.executor_kinds === undefined ? undefined : new Set(input.executor_kinds);
  const now = input.now.toISOString();
  const expires = addMs(now, input.lease_ms);
  return deps.context.write(async (ctx) => {
    const claimed: ClaimedRun[] = [];
    // Runs of other executor kinds are passed over, so read a little more than asked.
    const want = kinds === undefined ? limit : Math.min(limit * 4, 500);
    const rows = await ctx.all<Row>(CANDIDATES + ctx.dialect.claimLock, [now, want]);
    for (const row of rows) {
      if (claimed.length >= limit) break;
      const run = toRun(row);
      if (kinds !== undefined && !kinds.has(run.executor_kind)) continue;
      const task = await findTask(ctx, run.task_id);
      if (!task) continue;
      const deadline = activeDeadline(task.timeouts, now, now);
      const { changes } = await ctx.run(CLAIM, [input.owner, expires, now, now, deadline, run.run_id, now]);
      if (changes !== 1) continue;
      claimed.push({ run: (await findRun(ctx, run.run_id))!, task, agent: task.executor_kind === 'agent' ? await findAgent(ctx, task.task_id) : null });
    }
    return claimed;
  });
}

function leaseLost(run: TaskRun | undefined, runId: string, owner: string): CairnError {
  const why = !run ? 'no such run' : run.lease_owner !== owner ? `held by ${run.lease_owner ?? 'nobody'}` : `the run is ${run.status}`;
  return new CairnError('lease_lost', `run ${runId}: the lease of ${owner} is lost (${why})`, { details: { run_id: runId, owner, status: run?.status ?? null } });
}

/** The run under its workspace's lock, if `owner` still holds it (open, its lease owner). */
async function heldRun(ctx: WriteContext, runId: string, owner: string): Promise<{ run: TaskRun; state: NonNullable<Awaited<ReturnType<typeof lockTaskState>>> }> {
  const peek = await findRun(ctx, runId);
  const state = peek ? await lockTaskState(ctx, peek.task_id, peek.workspace_id) : undefined;
  const run = state?.open.find((r) => r.run_id === runId);
  if (!state || !run || run.lease_owner !== owner || (run.status !== 'starting' && run.status !== 'running')) throw leaseLost(run ?? peek, runId, owner);
  return { run, state };
}

export { heldRun };

/**
 * The executor reports the run started: `running` (`task.run.started`, the notification
 * `task/run/started`), with an agent run's subagent thread and turn, the lease extended when
 * `lease_ms` is given. A lease that is not `owner`'s (expired and recovered, or cancelled): `lease_lost`.
 */
export async function markRunRunning(deps: TaskDeps, input: MarkRunRunningInput): Promise<TaskRun> {
  checkStep('markRunRunning', input, { owner: true, lease: input.lease_ms !== undefined });
  const now = input.now.toISOString();
  return deps.context.write(async (ctx) => {
    const { run, state } = await heldRun(ctx, input.run_id, input.owner);
    if (run.status === 'running') return run;
    const started: TaskRun = {
      ...run,
      status: 'running',
      started_at: now,
      last_heartbeat_at: now,
      lease_expires_at: input.lease_ms === undefined ? run.lease_expires_at : addMs(now, input.lease_ms),
      timeout_at: activeDeadline(state.task.timeouts, run.claimed_at ?? now, now),
      thread_id: input.thread_id ?? run.thread_id,
      turn_id: input.turn_id ?? run.turn_id,
    };
    const open = state.open.map((r) => (r.run_id === run.run_id ? started : r));
    const task = state.task.status === 'paused' ? { ...state.task, updated_at: now } : withStatus(state.task, deriveStatus(open, state.triggers, null), now);
    await appendTaskEvent(ctx, deps, 'task.run.started', { task, run: started, runs: [started] }, { now, threadId: started.thread_id });
    return started;
  });
}

const HEARTBEAT = `UPDATE task_run SET lease_expires_at = ?, last_heartbeat_at = ?, timeout_at = ?
  WHERE run_id = ? AND lease_owner = ? AND status IN ('starting', 'running')`;

/** Extends `owner`'s lease to `now + lease_ms` and moves the heartbeat deadline; not journaled (worker state). */
export async function heartbeatRun(deps: TaskDeps, input: HeartbeatRunInput): Promise<TaskRun> {
  checkStep('heartbeatRun', input, { owner: true, lease: true });
  const now = input.now.toISOString();
  return deps.context.write(async (ctx) => {
    const run = await findRun(ctx, input.run_id, ctx.dialect.claimLock === '' ? '' : ' FOR UPDATE');
    if (!run || run.lease_owner !== input.owner || (run.status !== 'starting' && run.status !== 'running')) throw leaseLost(run, input.run_id, input.owner);
    const task = (await findTask(ctx, run.task_id))!;
    const deadline = activeDeadline(task.timeouts, run.claimed_at ?? now, now);
    await ctx.run(HEARTBEAT, [addMs(now, input.lease_ms), now, deadline, run.run_id, input.owner]);
    return (await findRun(ctx, run.run_id))!;
  });
}
