import {
  TERMINAL_TASK_STATUSES,
  type DeliveryPolicy,
  type RetryPolicy,
  type Task,
  type TaskRun,
  type TaskStatus,
  type TimeoutPolicy,
} from '@cairn/protocol';
import type { DeliveryBackoff, TriggerRecord } from './task-rows.js';

/*
 * The policies' arithmetic and the status a task is in, as pure functions of its rows, so
 * every operation derives them the same way.
 */

const TERMINAL = new Set<TaskStatus>(TERMINAL_TASK_STATUSES);

export function isTerminalTask(status: TaskStatus): boolean {
  return TERMINAL.has(status);
}

/** Whether a trigger may still fire: armed, a manual one (fires on reschedule), or a dependency that has not fired. */
export function canStillFire(trigger: TriggerRecord): boolean {
  if (trigger.status !== 'active') return false;
  if (trigger.next_fire_at !== null) return true;
  return trigger.spec.kind === 'manual' || (trigger.spec.kind === 'dependency' && trigger.fire_count === 0);
}

/**
 * The status of a task that is neither paused, draft nor ended, from its open runs and its
 * triggers: a running (or starting) run makes it `running`, a queued one `queued`; else a
 * time trigger that can fire makes it `scheduled`, a dependency still waiting `waiting`; with
 * nothing left to fire, it ends as its last final run ended (`last`), `completed` without one.
 */
export function deriveStatus(openRuns: readonly TaskRun[], triggers: readonly TriggerRecord[], last: TaskRun['status'] | null): TaskStatus {
  if (openRuns.some((r) => r.status === 'running' || r.status === 'starting')) return 'running';
  if (openRuns.some((r) => r.status === 'queued')) return 'queued';
  const live = triggers.filter(canStillFire);
  if (live.some((t) => t.spec.kind !== 'dependency')) return 'scheduled';
  if (live.length > 0) return 'waiting';
  if (last === 'failed' || last === 'timed_out') return 'failed';
  if (last === 'cancelled') return 'cancelled';
  return 'completed';
}

/** The task as it is after a change at `now`: its status, and `completed_at` exactly when terminal. */
export function withStatus(task: Task, status: TaskStatus, now: string): Task {
  const completedAt = isTerminalTask(status) ? (task.completed_at ?? now) : null;
  return { ...task, status, completed_at: completedAt, updated_at: now };
}

/** The delay before attempt `next` (2, 3, ...) of a run, or null when the policy allows no more. */
export function retryDelayMs(policy: RetryPolicy, next: number): number | null {
  if (policy.kind === 'none' || next > policy.max_attempts) return null;
  if (policy.kind === 'fixed') return policy.delay_ms;
  const factor = policy.factor ?? 2;
  const delay = policy.initial_delay_ms * Math.pow(factor, next - 2);
  return Math.min(delay, policy.max_delay_ms ?? Number.MAX_SAFE_INTEGER);
}

const DELIVERY_DEFAULTS = { max_attempts: 5, initial_backoff_ms: 1000, max_backoff_ms: 5 * 60_000 } as const;

export function deliveryMaxAttempts(policy: DeliveryPolicy): number {
  return policy.max_attempts ?? DELIVERY_DEFAULTS.max_attempts;
}

export function backoffOf(policy: DeliveryPolicy): DeliveryBackoff {
  return {
    initial_backoff_ms: policy.initial_backoff_ms ?? DELIVERY_DEFAULTS.initial_backoff_ms,
    max_backoff_ms: policy.max_backoff_ms ?? DELIVERY_DEFAULTS.max_backoff_ms,
  };
}

/** The wait after failed attempt `attempts` (1, 2, ...): doubling from the initial backoff, capped. */
export function deliveryBackoffMs(backoff: DeliveryBackoff, attempts: number): number {
  return Math.min(backoff.initial_backoff_ms * Math.pow(2, attempts - 1), backoff.max_backoff_ms);
}

export const addMs = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** A queued run's deadline: `queue_ms` after it became ready. */
export function queueDeadline(timeouts: TimeoutPolicy, readyAt: string): string | null {
  return timeouts.queue_ms === undefined ? null : addMs(readyAt, timeouts.queue_ms);
}

/** A claimed run's deadline: the earlier of `run_ms` after the claim and `heartbeat_ms` after the last sign of life. */
export function activeDeadline(timeouts: TimeoutPolicy, claimedAt: string, lastBeat: string): string | null {
  const deadlines: number[] = [];
  if (timeouts.run_ms !== undefined) deadlines.push(Date.parse(claimedAt) + timeouts.run_ms);
  if (timeouts.heartbeat_ms !== undefined) deadlines.push(Date.parse(lastBeat) + timeouts.heartbeat_ms);
  return deadlines.length === 0 ? null : new Date(Math.min(...deadlines)).toISOString();
}
