import { TASK_EVENT_TYPES, TERMINAL_RUN_STATUSES, TERMINAL_TASK_STATUSES, type TaskRun, type TaskRunStatus, type TaskStatus } from '@cairn/protocol';
import { NOOP_ALREADY_STARTED, NOOP_ALREADY_TERMINAL, applied, violation } from '../event-log/decision.js';
import type { Decision, Projector } from '../event-log/types.js';
import type { JournalEvent, PendingEvent } from '../journal/types.js';
import type { WriteContext } from '../port/types.js';
import type { TaskEventPayload } from './task-payload.js';
import { findRun, findTask, writeAgent, writeAttempt, writeDelivery, writeDependency, writeLock, writeRun, writeTask, writeTrigger } from './task-rows.js';
import { backoffOf } from './task-status.js';

/** The task read models, children before parents (a rebuild empties them in this order). */
export const TASK_TABLES = [
  'task_write_lock',
  'task_delivery_attempt',
  'task_delivery',
  'task_agent_spec',
  'task_dependency',
  'task_run',
  'task_trigger',
  'task',
] as const;

const TERMINAL_TASK = new Set<TaskStatus>(TERMINAL_TASK_STATUSES);
const TERMINAL_RUN = new Set<TaskRunStatus>(TERMINAL_RUN_STATUSES);
/** Where a run may go from each status: forward only; an ended run never changes. */
const RUN_NEXT: Readonly<Record<TaskRunStatus, ReadonlySet<TaskRunStatus>>> = {
  queued: new Set(['queued', 'starting', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out']),
  starting: new Set(['starting', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out']),
  running: new Set(['running', 'succeeded', 'failed', 'cancelled', 'timed_out']),
  succeeded: new Set(['succeeded']),
  failed: new Set(['failed']),
  cancelled: new Set(['cancelled']),
  timed_out: new Set(['timed_out']),
};

/**
 * Projects the `task` stream into `TASK_TABLES`. Every event carries the records it changed
 * as they are after it (`TaskEventPayload`); the projector checks that the change is one the
 * state before it allows, then writes them. Outcomes, as for turns:
 * - `task.created` for a task that exists: `noop_already_started`;
 * - `task.trigger.fired` for an instant that already fired (its run exists): `noop_already_started`;
 * - an event that would move a terminal task elsewhere, pause a paused or ended task, resume
 *   one that is not paused, or move a run backwards or out of an ended status:
 *   `invariant_violation` (the append fails, nothing is written);
 * - an event for a task never created: `invariant_violation`.
 * A second end of an ended task (`task.cancelled` on a cancelled task) is `noop_already_terminal`.
 */
export class TaskProjector implements Projector {
  readonly name = 'tasks';
  readonly canHandle: readonly string[] = TASK_EVENT_TYPES;
  readonly tables = TASK_TABLES;

  async decide(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
    const payload = event.payload as TaskEventPayload;
    if (!payload || typeof payload !== 'object' || !payload.task || payload.task.task_id !== event.streamId) {
      return violation(`${event.type}: the payload does not carry task ${event.streamId}`);
    }
    const before = await findTask(ctx, event.streamId);
    if (event.type === 'task.created') {
      if (before) return NOOP_ALREADY_STARTED;
      if (TERMINAL_TASK.has(payload.task.status)) return violation(`task.created: a task cannot be created ${payload.task.status}`);
      return applied((placed) => write(ctx, placed));
    }
    if (!before) return violation(`task ${event.streamId} was never created`);
    const from = before.status;
    const to = payload.task.status;
    if (TERMINAL_TASK.has(from)) {
      if (['task.cancelled', 'task.completed', 'task.failed'].includes(event.type) && to === from) return NOOP_ALREADY_TERMINAL;
      if (to !== from) return violation(`task ${event.streamId} is ${from}; ${event.type} cannot make it ${to}`);
    }
    if (event.type === 'task.paused' && (from === 'paused' || TERMINAL_TASK.has(from))) return violation(`task ${event.streamId} is ${from}; it cannot be paused`);
    if (event.type === 'task.resumed' && from !== 'paused' && from !== 'draft') return violation(`task ${event.streamId} is ${from}; only a paused or draft task resumes`);
    for (const run of payload.runs ?? []) {
      const refusal = await checkRun(ctx, run, event.type);
      if (refusal) return refusal;
    }
    return applied((placed) => write(ctx, placed));
  }
}

async function checkRun(ctx: WriteContext, run: TaskRun, type: string): Promise<Decision | undefined> {
  const existing = await findRun(ctx, run.run_id);
  if (!existing) {
    if (run.status !== 'queued') return violation(`${type}: run ${run.run_id} would start ${run.status}`);
    const firing = await ctx.get<{ run_id: string }>('SELECT run_id FROM task_run WHERE trigger_id = ? AND scheduled_for = ? AND attempt = ?', [
      run.trigger_id,
      run.scheduled_for,
      run.attempt,
    ]);
    // The unique key says the same: one run per (trigger, instant, attempt). Deciding it here
    // makes a replayed firing a named no-op instead of a failed INSERT.
    if (firing) return type === 'task.trigger.fired' ? NOOP_ALREADY_STARTED : violation(`${type}: attempt ${run.attempt} of ${run.scheduled_for} already exists`);
    return undefined;
  }
  if (!RUN_NEXT[existing.status].has(run.status)) {
    return violation(`run ${run.run_id} is ${existing.status}; ${type} cannot make it ${run.status}`);
  }
  if (TERMINAL_RUN.has(existing.status) && type.startsWith('task.run.')) return NOOP_ALREADY_TERMINAL;
  return undefined;
}

async function write(ctx: WriteContext, placed: JournalEvent): Promise<void> {
  const p = placed.payload as TaskEventPayload;
  await writeTask(ctx, p.task, placed.streamSeq);
  for (const trigger of p.triggers ?? []) await writeTrigger(ctx, trigger);
  const paused = p.task.status === 'paused' || p.task.status === 'draft';
  for (const run of p.runs ?? []) await writeRun(ctx, run, paused);
  for (const dependency of p.dependencies ?? []) await writeDependency(ctx, dependency);
  if (p.agent) await writeAgent(ctx, p.agent);
  const backoff = backoffOf(p.task.delivery_policy);
  for (const delivery of p.deliveries ?? []) await writeDelivery(ctx, delivery, backoff);
  for (const attempt of p.attempts ?? []) await writeAttempt(ctx, attempt);
  for (const id of p.released_lock_ids ?? []) await ctx.run('DELETE FROM task_write_lock WHERE lock_id = ?', [id]);
  for (const lock of p.locks ?? []) await writeLock(ctx, lock);
}
