import type { TaskRun } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { appendTaskEvent, lockTaskState, newRun } from '../task-events.js';
import { TRIGGER_COLUMNS, toTrigger, type Row, type TriggerRecord } from '../task-rows.js';
import { deriveStatus, withStatus } from '../task-status.js';
import type { FireDueTriggersInput, FireDueTriggersResult, TaskDeps } from '../task-types.js';
import { dueFiring } from '../trigger-math.js';
import { checkStep } from './step-input.js';

// The due query: one range of `idx_task_trigger_due` (only armed triggers have a next_fire_at).
const DUE = 'SELECT trigger_id, workspace_id FROM task_trigger WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at, trigger_id LIMIT ?';

/**
 * Fires the triggers due at `now`, in one transaction. The candidates are read first, then
 * their workspaces are locked in id order (the event log's lock: every task change of a
 * workspace takes it first, so nobody holds a trigger row while waiting for a workspace, and
 * two schedulers never deadlock), then the triggers are re-read `FOR UPDATE SKIP LOCKED` and
 * still due: whatever another scheduler fired meanwhile has moved on and is not due any more.
 * Each due instant becomes a run keyed (trigger, instant, 1) in a `task.trigger.fired` event
 * (idempotency key `fire:<trigger>:<instant>`); the unique key on that triple makes a second
 * firing impossible even past all of this.
 */
export async function fireDueTriggers(deps: TaskDeps, input: FireDueTriggersInput): Promise<FireDueTriggersResult> {
  checkStep('fireDueTriggers', input, { owner: true });
  const now = input.now;
  const limit = input.limit ?? 100;
  return deps.context.write(async (ctx) => {
    const candidates = await ctx.all<{ trigger_id: string; workspace_id: string }>(DUE, [now.toISOString(), limit]);
    const result: FireDueTriggersResult = { queued: [], triggers: 0 };
    if (candidates.length === 0) return result;
    const workspaces = [...new Set(candidates.map((c) => c.workspace_id))].sort();
    for (const workspaceId of workspaces) await ctx.dialect.lockWorkspace(ctx, workspaceId);
    const ids = candidates.map((c) => c.trigger_id);
    const due = await ctx.all<Row>(
      `SELECT ${TRIGGER_COLUMNS} FROM task_trigger WHERE trigger_id IN (${ids.map(() => '?').join(', ')}) AND next_fire_at IS NOT NULL AND next_fire_at <= ?
       ORDER BY workspace_id, task_id, next_fire_at, trigger_id${ctx.dialect.claimLock}`,
      [...ids, now.toISOString()],
    );
    for (const row of due) {
      const queued = await fireOne(ctx, deps, { ...toTrigger(row), ordinal: Number(row.ordinal) }, now);
      if (queued === null) continue;
      result.triggers++;
      result.queued.push(...queued);
    }
    return result;
  });
}

async function fireOne(ctx: WriteContext, deps: TaskDeps, trigger: TriggerRecord, now: Date): Promise<TaskRun[] | null> {
  const state = await lockTaskState(ctx, trigger.task_id, trigger.workspace_id);
  if (!state) return null;
  // The row as the state read it (under the task's lock), not the candidate.
  const current = state.triggers.find((t) => t.trigger_id === trigger.trigger_id);
  if (!current || current.status !== 'active' || current.next_fire_at === null || Date.parse(current.next_fire_at) > now.getTime()) return null;
  if (state.task.status === 'paused' || state.task.status === 'draft') return null;
  const at = now.toISOString();
  const firing = dueFiring(current.spec, current.next_fire_at, now);
  // An instant that already has its run (a manual trigger re-armed at an instant it fired at)
  // is not fired again: the trigger still moves on.
  const fresh: string[] = [];
  for (const instant of firing.fire) {
    const exists = await ctx.get('SELECT run_id FROM task_run WHERE trigger_id = ? AND scheduled_for = ? AND attempt = 1', [current.trigger_id, instant]);
    if (!exists) fresh.push(instant);
  }
  const runs = fresh.map((instant) => newRun(deps, state.task, current.trigger_id, instant, 1, instant, at));
  const skipped = firing.skipped + firing.fire.length - fresh.length;
  const fired: TriggerRecord = {
    ...current,
    status: firing.done ? 'done' : 'active',
    next_fire_at: firing.next,
    last_fired_at: fresh.at(-1) ?? current.last_fired_at,
    fire_count: current.fire_count + runs.length,
    updated_at: at,
  };
  const triggers = state.triggers.map((t) => (t.trigger_id === fired.trigger_id ? fired : t));
  const task = withStatus(
    { ...state.task, run_count: state.task.run_count + runs.length, last_run_id: runs.at(-1)?.run_id ?? state.task.last_run_id },
    deriveStatus([...state.open, ...runs], triggers, null),
    at,
  );
  const result = await appendTaskEvent(
    ctx,
    deps,
    'task.trigger.fired',
    { task, triggers: [fired], runs, ...(runs.length === 1 ? { run: runs[0] } : {}), ...(skipped > 0 ? { skipped } : {}) },
    { now: at, idempotencyKey: `fire:${current.trigger_id}:${current.next_fire_at}:${current.fire_count}` },
  );
  return result.outcome === 'applied' && !result.duplicate ? runs : [];
}
