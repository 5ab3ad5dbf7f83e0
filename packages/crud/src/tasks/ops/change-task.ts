import {
  CairnError,
  TaskCancelParams,
  TaskPauseParams,
  TaskRescheduleParams,
  TaskResumeParams,
  type Task,
  type TaskDetail,
  type TaskStatus,
} from '@cairn/protocol';
import { parseParams } from '../../errors/parse-params.js';
import type { WriteContext } from '../../port/types.js';
import { evaluateDependencies, settleDependents } from '../scheduler/dependencies.js';
import { endTask } from '../scheduler/end-task.js';
import { appendTaskEvent, lockTaskState, taskNotFound, type TaskState } from '../task-events.js';
import type { TriggerRecord } from '../task-rows.js';
import { deriveStatus, isTerminalTask, withStatus } from '../task-status.js';
import type { TaskClockOptions, TaskDeps } from '../task-types.js';
import { firstFireAt, nextFireAfter, validateTrigger } from '../trigger-math.js';
import { readDetail } from '../read/read-tasks.js';

function nowOf(deps: TaskDeps, options: TaskClockOptions): Date {
  return options.now ?? new Date(deps.context.now());
}

function refuse(task: Task, action: string, reason: string): CairnError {
  return new CairnError('conflict', `task ${task.task_id} is ${task.status}: it cannot be ${action}`, { details: { reason, task_id: task.task_id, status: task.status } });
}

async function stateIn(ctx: WriteContext, workspaceId: string, taskId: string): Promise<TaskState> {
  const state = await lockTaskState(ctx, taskId, workspaceId);
  if (!state) throw taskNotFound(workspaceId, taskId);
  return state;
}

const reasonOf = (deps: TaskDeps, reason: string | undefined) => (reason === undefined ? {} : { reason: deps.context.redactText(reason) });

/** `task/cancel`: open runs cancelled, triggers disarmed, locks released; then its dependents settle. Terminal: `conflict` (`already_terminal`). */
export async function cancelTask(deps: TaskDeps, params: TaskCancelParams, options: TaskClockOptions): Promise<Task> {
  const p = parseParams(TaskCancelParams, params, 'task/cancel');
  const now = nowOf(deps, options).toISOString();
  return deps.context.write(async (ctx) => {
    const state = await stateIn(ctx, p.workspace_id, p.task_id);
    if (isTerminalTask(state.task.status)) throw refuse(state.task, 'cancelled', 'already_terminal');
    const task = await endTask(ctx, deps, { state, status: 'cancelled', now, ...reasonOf(deps, p.reason) });
    await settleDependents(ctx, deps, task.task_id, now);
    return (await lockTaskState(ctx, task.task_id, task.workspace_id))!.task;
  });
}

/** `task/pause`: triggers disarmed (kept `paused`), queued runs out of the claim index; running runs run on. */
export async function pauseTask(deps: TaskDeps, params: TaskPauseParams, options: TaskClockOptions): Promise<Task> {
  const p = parseParams(TaskPauseParams, params, 'task/pause');
  const now = nowOf(deps, options).toISOString();
  return deps.context.write(async (ctx) => {
    const state = await stateIn(ctx, p.workspace_id, p.task_id);
    const from = state.task.status;
    if (isTerminalTask(from)) throw refuse(state.task, 'paused', 'already_terminal');
    if (from === 'paused' || from === 'draft') throw refuse(state.task, 'paused', from === 'paused' ? 'already_paused' : 'draft');
    const triggers = state.triggers.filter((t) => t.status === 'active').map((t) => ({ ...t, status: 'paused' as const, next_fire_at: null, updated_at: now }));
    const task: Task = { ...state.task, status: 'paused', paused_from: from, updated_at: now };
    await appendTaskEvent(ctx, deps, 'task.paused', { task, triggers, runs: state.open.filter((r) => r.status === 'queued'), ...reasonOf(deps, p.reason) }, { now });
    return { ...task, last_seq: task.last_seq + 1 };
  });
}

/**
 * `task/resume`: a paused task's triggers re-armed where they stood (an instant missed
 * meanwhile is due now, and its catch-up policy applies when it fires), its queued runs back
 * in the claim index; a draft's triggers armed from now. Dependencies met meanwhile fire.
 */
export async function resumeTask(deps: TaskDeps, params: TaskResumeParams, options: TaskClockOptions): Promise<Task> {
  const p = parseParams(TaskResumeParams, params, 'task/resume');
  const nowDate = nowOf(deps, options);
  const now = nowDate.toISOString();
  return deps.context.write(async (ctx) => {
    const state = await stateIn(ctx, p.workspace_id, p.task_id);
    const from = state.task.status;
    if (from !== 'paused' && from !== 'draft') throw refuse(state.task, 'resumed', 'not_paused');
    const triggers = state.triggers.map((t): TriggerRecord => {
      if (t.status !== 'paused') return t;
      // A paused trigger keeps no due time (it is out of the due index): it continues after
      // its last firing, so instants missed while paused are due now (catch-up applies).
      const next = from !== 'draft' && t.last_fired_at !== null ? nextFireAfter(t.spec, t.last_fired_at) : firstFireAt(t.spec, nowDate);
      return { ...t, status: 'active', next_fire_at: next, updated_at: now };
    });
    const status: TaskStatus = deriveStatus(state.open, triggers, null);
    const task = withStatus({ ...state.task, paused_from: null }, status, now);
    await appendTaskEvent(ctx, deps, 'task.resumed', { task, triggers, runs: state.open.filter((r) => r.status === 'queued'), ...reasonOf(deps, p.reason) }, { now });
    const after = (await lockTaskState(ctx, task.task_id, task.workspace_id))!;
    await evaluateDependencies(ctx, deps, after, now);
    return (await lockTaskState(ctx, task.task_id, task.workspace_id))!.task;
  });
}

/**
 * `task/reschedule`: `triggers` replaces the task's time triggers (the old ones `cancelled`,
 * dependency triggers kept; a dependency in the new list is `invalid_params`, so no cycle can
 * be made later), and/or `run_at` arms one firing: its manual trigger, else its first time
 * trigger. Terminal: `conflict`.
 */
export async function rescheduleTask(deps: TaskDeps, params: TaskRescheduleParams, options: TaskClockOptions): Promise<TaskDetail> {
  const p = parseParams(TaskRescheduleParams, params, 'task/reschedule');
  if (p.triggers === undefined && p.run_at === undefined) {
    throw new CairnError('invalid_params', 'task/reschedule: give triggers, run_at, or both', { details: { reason: 'nothing_to_change' } });
  }
  const nowDate = nowOf(deps, options);
  const now = nowDate.toISOString();
  p.triggers?.forEach((spec, index) => {
    if (spec.kind === 'dependency') throw new CairnError('invalid_params', 'task/reschedule: dependency triggers are set at creation only', { details: { reason: 'dependency_not_reschedulable', trigger_index: index } });
    validateTrigger(spec, index, nowDate);
  });
  return deps.context.write(async (ctx) => {
    const state = await stateIn(ctx, p.workspace_id, p.task_id);
    if (isTerminalTask(state.task.status)) throw refuse(state.task, 'rescheduled', 'already_terminal');
    const dormant = state.task.status === 'paused' || state.task.status === 'draft';
    let triggers = state.triggers;
    const changed: TriggerRecord[] = [];
    if (p.triggers !== undefined) {
      for (const t of triggers) {
        if (t.spec.kind === 'dependency' || t.status === 'cancelled' || t.status === 'done') continue;
        changed.push({ ...t, status: 'cancelled', next_fire_at: null, updated_at: now });
      }
      let ordinal = Math.max(-1, ...triggers.map((t) => t.ordinal)) + 1;
      for (const spec of p.triggers) {
        changed.push({
          trigger_id: deps.context.newId('trg'),
          task_id: state.task.task_id,
          workspace_id: state.task.workspace_id,
          ordinal: ordinal++,
          spec,
          status: dormant ? 'paused' : 'active',
          next_fire_at: dormant ? null : firstFireAt(spec, nowDate),
          last_fired_at: null,
          fire_count: 0,
          created_at: now,
          updated_at: now,
        });
      }
      const byId = new Map(changed.map((t) => [t.trigger_id, t]));
      triggers = [...triggers.map((t) => byId.get(t.trigger_id) ?? t), ...changed.filter((t) => !triggers.some((o) => o.trigger_id === t.trigger_id))];
    }
    if (p.run_at !== undefined) {
      const target =
        triggers.find((t) => t.spec.kind === 'manual' && t.status !== 'cancelled') ??
        triggers.find((t) => t.spec.kind !== 'dependency' && t.status !== 'cancelled' && t.status !== 'done');
      if (!target) throw new CairnError('conflict', `task ${state.task.task_id} has no manual or time trigger to arm`, { details: { reason: 'no_time_trigger' } });
      const armed: TriggerRecord = { ...target, status: dormant ? 'paused' : 'active', next_fire_at: new Date(p.run_at).toISOString(), updated_at: now };
      triggers = triggers.map((t) => (t.trigger_id === armed.trigger_id ? armed : t));
      const at = changed.findIndex((t) => t.trigger_id === armed.trigger_id);
      if (at >= 0) changed[at] = armed;
      else changed.push(armed);
    }
    const task = dormant ? { ...state.task, updated_at: now } : withStatus(state.task, deriveStatus(state.open, triggers, null), now);
    await appendTaskEvent(ctx, deps, 'task.rescheduled', { task, triggers: changed, ...reasonOf(deps, p.reason) }, { now });
    return readDetail(ctx, state.task.task_id);
  });
}


