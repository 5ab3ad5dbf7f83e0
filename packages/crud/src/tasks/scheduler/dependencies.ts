import { TERMINAL_TASK_STATUSES, type Task, type TaskRun, type TaskStatus } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { appendTaskEvent, lockTaskState, newRun, type TaskState } from '../task-events.js';
import type { TriggerRecord } from '../task-rows.js';
import { deriveStatus, isTerminalTask, withStatus } from '../task-status.js';
import type { TaskDeps } from '../task-types.js';
import { endTask } from './end-task.js';

const TERMINAL = new Set<TaskStatus>(TERMINAL_TASK_STATUSES);
/** Dependency chains settle recursively; a chain longer than this is settled by the next event. */
const MAX_DEPTH = 64;

export interface Settled {
  queued: TaskRun[];
  ended: Task[];
}

type Verdict = 'met' | 'unmet' | 'waiting';

function verdictOf(trigger: TriggerRecord, statuses: ReadonlyMap<string, TaskStatus>): Verdict {
  if (trigger.spec.kind !== 'dependency') return 'waiting';
  const list = trigger.spec.task_ids.map((id) => statuses.get(id) ?? 'cancelled');
  const succeeded = list.filter((s) => s === 'completed').length;
  const terminal = list.filter((s) => TERMINAL.has(s)).length;
  switch (trigger.spec.condition) {
    case 'all_succeeded':
      return succeeded === list.length ? 'met' : terminal > succeeded ? 'unmet' : 'waiting';
    case 'any_succeeded':
      return succeeded > 0 ? 'met' : terminal === list.length ? 'unmet' : 'waiting';
    case 'all_terminal':
      return terminal === list.length ? 'met' : 'waiting';
  }
}

/**
 * Evaluates a task's dependency triggers that have not fired, against its upstream tasks'
 * statuses now: a met condition fires the trigger (`task.trigger.fired`, a run queued now);
 * one that can no longer be met applies its `on_unmet` (the task fails or is cancelled, and
 * its own dependents are settled in turn). Paused, draft and ended tasks wait.
 */
export async function evaluateDependencies(ctx: WriteContext, deps: TaskDeps, state: TaskState, now: string, depth = 0): Promise<Settled> {
  const out: Settled = { queued: [], ended: [] };
  if (state.task.status === 'paused' || state.task.status === 'draft' || isTerminalTask(state.task.status)) return out;
  const pending = state.triggers.filter((t) => t.spec.kind === 'dependency' && t.status === 'active' && t.fire_count === 0);
  if (pending.length === 0) return out;
  const ids = [...new Set(pending.flatMap((t) => (t.spec.kind === 'dependency' ? t.spec.task_ids : [])))];
  const rows = await ctx.all<{ task_id: string; status: TaskStatus }>(`SELECT task_id, status FROM task WHERE task_id IN (${ids.map(() => '?').join(', ')})`, ids);
  const statuses = new Map(rows.map((r) => [r.task_id, r.status]));
  for (const trigger of pending) {
    const verdict = verdictOf(trigger, statuses);
    if (verdict === 'waiting') continue;
    const spec = trigger.spec;
    if (verdict === 'unmet' && spec.kind === 'dependency') {
      const status = spec.on_unmet === 'cancel' ? 'cancelled' : 'failed';
      const ended = await endTask(ctx, deps, {
        state,
        status,
        now,
        reason: 'dependency_unmet',
        error: { code: 'dependency_unmet', message: `dependency ${spec.condition} over ${spec.task_ids.join(', ')} can no longer be met` },
        idempotencyKey: `task:${state.task.task_id}:dependency_unmet:${trigger.trigger_id}`,
      });
      out.ended.push(ended);
      const next = await settleDependents(ctx, deps, state.task.task_id, now, depth + 1);
      out.queued.push(...next.queued);
      out.ended.push(...next.ended);
      return out;
    }
    const run = newRun(deps, state.task, trigger.trigger_id, now, 1, now, now);
    const fired: TriggerRecord = { ...trigger, status: 'done', fire_count: 1, last_fired_at: now, next_fire_at: null, updated_at: now };
    const triggers = state.triggers.map((t) => (t.trigger_id === trigger.trigger_id ? fired : t));
    const open = [...state.open, run];
    const task = withStatus({ ...state.task, run_count: state.task.run_count + 1, last_run_id: run.run_id }, deriveStatus(open, triggers, null), now);
    await appendTaskEvent(ctx, deps, 'task.trigger.fired', { task, triggers: [fired], runs: [run], run }, { now, idempotencyKey: `fire:${trigger.trigger_id}:${now}` });
    out.queued.push(run);
    state = { task: { ...task, last_seq: task.last_seq + 1 }, triggers, open };
  }
  return out;
}

/** After `taskId` ended: evaluates every task that depends on it (same workspace, its lock held). */
export async function settleDependents(ctx: WriteContext, deps: TaskDeps, taskId: string, now: string, depth = 0): Promise<Settled> {
  const out: Settled = { queued: [], ended: [] };
  if (depth > MAX_DEPTH) return out;
  const rows = await ctx.all<{ task_id: string }>('SELECT DISTINCT task_id FROM task_dependency WHERE depends_on_task_id = ? ORDER BY task_id', [taskId]);
  for (const { task_id } of rows) {
    const state = await lockTaskState(ctx, task_id);
    if (!state) continue;
    const settled = await evaluateDependencies(ctx, deps, state, now, depth);
    out.queued.push(...settled.queued);
    out.ended.push(...settled.ended);
  }
  return out;
}
