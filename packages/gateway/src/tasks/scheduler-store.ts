import type { TaskExecution, TaskExecutorKind } from './executor.js';

/*
 * The part of `store.tasks` (crud's TaskStore) the scheduler drives. Every primitive takes an
 * explicit `now` and, where it leases, the claiming `owner`.
 */

interface RunLike {
  run_id: string;
  task_id: string;
  workspace_id: string;
  attempt: number;
  executor_kind: TaskExecutorKind;
}

interface TaskLike {
  task_id: string;
  workspace_id: string;
  status: string;
  executor_kind: TaskExecutorKind;
  executor_config: unknown;
  input: unknown;
  owner_thread_id: string | null;
  lock: { scope: 'workspace' | 'path'; path?: string; conflict: 'queue' | 'reject' } | null;
  timeouts: { run_ms?: number };
}

/** A claimed run with what its executor needs (crud's `ClaimedRun`). */
export interface ClaimedRunLike {
  run: RunLike;
  task: TaskLike;
  agent: object | null;
}

/** A claimed delivery (crud's `ClaimedDelivery`). */
export interface ClaimedDeliveryLike {
  delivery: {
    delivery_id: string;
    workspace_id: string;
    task_id: string;
    run_id: string;
    kind: 'owner_thread' | 'thread' | 'webhook';
    thread_id: string | null;
    url: string | null;
    secret_ref: string | null;
    payload: unknown;
    attempts: number;
  };
  task: TaskLike;
  run: RunLike;
}

interface RunRecovery {
  ended: Array<{ workspace_id: string }>;
  retried: Array<{ workspace_id: string }>;
  failed: Array<{ workspace_id: string }>;
}

export interface SchedulerStore {
  fireDueTriggers(input: { now: Date; owner: string; limit?: number }): Promise<{ queued: Array<{ workspace_id: string }>; triggers: number }>;
  claimRuns(input: { now: Date; owner: string; lease_ms: number; limit?: number; executor_kinds?: readonly TaskExecutorKind[] }): Promise<ClaimedRunLike[]>;
  markRunRunning(input: { now: Date; owner: string; run_id: string; lease_ms?: number; thread_id?: string; turn_id?: string }): Promise<unknown>;
  heartbeatRun(input: { now: Date; owner: string; run_id: string; lease_ms: number }): Promise<unknown>;
  completeRun(input: {
    now: Date;
    owner: string;
    run_id: string;
    outcome: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
    result?: unknown;
    error?: { code: string; message: string };
  }): Promise<{ dependents_queued: unknown[]; deliveries: unknown[] }>;
  recoverExpiredLeases(input: { now: Date; limit?: number }): Promise<RunRecovery>;
  expireTimeouts(input: { now: Date; limit?: number }): Promise<RunRecovery>;
  releaseExpiredLocks(input: { now: Date }): Promise<{ released: Array<{ workspace_id: string }>; promoted: Array<{ workspace_id: string }> }>;
  claimDeliveries(input: { now: Date; owner: string; lease_ms: number; limit?: number }): Promise<ClaimedDeliveryLike[]>;
  recordDeliveryAttempt(input: { now: Date; owner: string; delivery_id: string; outcome: 'delivered' | 'failed'; error?: string; response_status?: number }): Promise<unknown>;
  get(params: { workspace_id: string; task_id: string }): Promise<{ task: { status: string } }>;
  acquireLock(input: {
    workspace_id: string;
    scope: 'workspace' | 'path';
    path?: string;
    holder: string;
    ttl_ms: number;
    conflict: 'queue' | 'reject';
    now: Date;
  }): Promise<{ acquired: boolean }>;
}

/** What an executor sees of a claimed run. */
export function toExecution(claim: ClaimedRunLike, signal: AbortSignal, started: TaskExecution['started']): TaskExecution {
  const config = claim.task.executor_config;
  return {
    workspaceId: claim.run.workspace_id,
    taskId: claim.run.task_id,
    runId: claim.run.run_id,
    attempt: claim.run.attempt,
    kind: claim.run.executor_kind,
    config: config !== null && typeof config === 'object' && !Array.isArray(config) ? (config as Record<string, unknown>) : {},
    input: claim.task.input,
    ownerThreadId: claim.task.owner_thread_id,
    agent: claim.agent as Record<string, unknown> | null,
    signal,
    started,
  };
}
