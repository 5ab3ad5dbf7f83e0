import type { ClaimedRun, TaskStore } from '@cairn/crud';
import type { TaskExecution } from './executor.js';

/**
 * The part of crud's `store.tasks` the scheduler drives: the scheduler primitives (each takes
 * an explicit `now` and, where it leases, the claiming `owner`), `get` to tell a cancelled task
 * from a lost lease, and `acquireLock` for tasks that declare a write lock.
 */
export type SchedulerStore = Pick<
  TaskStore,
  | 'fireDueTriggers'
  | 'claimRuns'
  | 'markRunRunning'
  | 'heartbeatRun'
  | 'completeRun'
  | 'recoverExpiredLeases'
  | 'expireTimeouts'
  | 'releaseExpiredLocks'
  | 'claimDeliveries'
  | 'recordDeliveryAttempt'
  | 'acquireLock'
  | 'get'
>;

/** What an executor sees of a claimed run. */
export function toExecution(claim: ClaimedRun, signal: AbortSignal, started: TaskExecution['started']): TaskExecution {
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
    agent: claim.agent,
    signal,
    started,
  };
}
