import type {
  PageResult,
  Task,
  TaskAgendaParams,
  TaskAgendaResult,
  TaskCancelParams,
  TaskCreateParams,
  TaskDeliveriesParams,
  TaskDeliveriesResult,
  TaskDetail,
  TaskEventsParams,
  TaskEventsResult,
  TaskGetParams,
  TaskListParams,
  TaskPauseParams,
  TaskRescheduleParams,
  TaskResumeParams,
  TaskRun,
  TaskTreeParams,
  TaskTreeResult,
  TaskDelivery,
} from '@cairn/protocol';
import type {
  AcquireLockInput,
  AcquireLockResult,
  ClaimDeliveriesInput,
  ClaimedDelivery,
  ClaimedRun,
  ClaimRunsInput,
  CompleteRunInput,
  CompleteRunResult,
  FireDueTriggersInput,
  FireDueTriggersResult,
  HeartbeatRunInput,
  MarkRunRunningInput,
  RecordDeliveryAttemptInput,
  RecoveryStep,
  ReleaseLockInput,
  ReleaseLocksResult,
  RunRecoveryResult,
  TaskClockOptions,
  TaskDeps,
} from './task-types.js';
import { createTask } from './ops/create-task.js';
import { cancelTask, pauseTask, rescheduleTask, resumeTask } from './ops/change-task.js';
import { getTask, listTasks, taskAgenda, taskDeliveries, taskEvents, taskTree } from './read/read-tasks.js';
import { fireDueTriggers } from './scheduler/fire-due-triggers.js';
import { claimRuns, heartbeatRun, markRunRunning } from './scheduler/claim-runs.js';
import { completeRun } from './scheduler/complete-run.js';
import { expireTimeouts, recoverExpiredLeases } from './scheduler/recover-runs.js';
import { claimDeliveries, recordDeliveryAttempt } from './scheduler/deliveries.js';
import { acquireLock, releaseExpiredLocks, releaseLock } from './scheduler/write-locks.js';

/**
 * `store.tasks`: tasks, their triggers, runs, dependencies, deliveries and write locks. Every
 * change is a task event (journaled with the hash chain, idempotency key and redaction,
 * projected by `TaskProjector` in the same transaction); reads are the read models.
 *
 * The RPC-shaped methods take the protocol's params (validated: `invalid_params`) and answer
 * protocol records; a second `{ now }` argument sets the instant they act at (default the
 * store clock). The scheduler primitives take an explicit `now` and the claiming `owner`:
 * each is one transaction; on SQLite it runs under the write coordinator (`BEGIN IMMEDIATE`),
 * on PostgreSQL the claims pick rows with `FOR UPDATE SKIP LOCKED` and a conditional UPDATE
 * re-checks each claim, so two schedulers on one database never fire a due instant twice
 * (the unique key on a run's (trigger, instant, attempt) makes it impossible) nor hold one
 * run together.
 */
export class TaskStore {
  readonly #deps: TaskDeps;

  constructor(deps: TaskDeps) {
    this.#deps = deps;
  }

  /**
   * `task/create`: the task, its triggers (next fire times computed), dependencies and agent
   * spec in one `task.created` event; an `immediate` trigger is due at once. Bad input
   * (invalid cron, unknown time zone, dependency cycle, another workspace's task or thread,
   * unknown parent) is a typed error and writes nothing.
   */
  create(params: TaskCreateParams, options: TaskClockOptions = {}): Promise<TaskDetail> {
    return createTask(this.#deps, params, options);
  }

  /** `task/get`: the task with its triggers, dependencies, agent spec and latest runs; `not_found` outside its workspace. */
  get(params: TaskGetParams): Promise<TaskDetail> {
    return getTask(this.#deps, params);
  }

  /** `task/list`: newest first, cursor-paginated; by status, by parent, or roots only. */
  list(params: TaskListParams): Promise<PageResult<Task>> {
    return listTasks(this.#deps, params);
  }

  /** `task/tree`: the subtree under a task, parents before children (one index range over its root's tree). */
  tree(params: TaskTreeParams): Promise<TaskTreeResult> {
    return taskTree(this.#deps, params);
  }

  /** `task/events`: the task's journaled events in stream order. */
  events(params: TaskEventsParams): Promise<TaskEventsResult> {
    return taskEvents(this.#deps, params);
  }

  /** `task/cancel`: the task and its open runs end `cancelled`; queued lock requests go. Terminal: `conflict`. */
  cancel(params: TaskCancelParams, options: TaskClockOptions = {}): Promise<Task> {
    return cancelTask(this.#deps, params, options);
  }

  /** `task/pause`: its triggers stop firing and its queued runs are not claimed. Terminal or paused: `conflict`. */
  pause(params: TaskPauseParams, options: TaskClockOptions = {}): Promise<Task> {
    return pauseTask(this.#deps, params, options);
  }

  /** `task/resume`: a paused task back where it was (missed instants per catch-up), a draft armed. Otherwise `conflict`. */
  resume(params: TaskResumeParams, options: TaskClockOptions = {}): Promise<Task> {
    return resumeTask(this.#deps, params, options);
  }

  /** `task/reschedule`: replaces the triggers, or arms one firing at `run_at`. Terminal: `conflict`. */
  reschedule(params: TaskRescheduleParams, options: TaskClockOptions = {}): Promise<TaskDetail> {
    return rescheduleTask(this.#deps, params, options);
  }

  /** `task/agenda`: the workspace's upcoming firings in a window, in time order (computed from the triggers, nothing written). */
  agenda(params: TaskAgendaParams, options: TaskClockOptions = {}): Promise<TaskAgendaResult> {
    return taskAgenda(this.#deps, params, options);
  }

  /** `task/deliveries`: a task's deliveries with their attempts, newest first. */
  deliveries(params: TaskDeliveriesParams): Promise<TaskDeliveriesResult> {
    return taskDeliveries(this.#deps, params);
  }

  /**
   * Fires every trigger due at `now` (at most `limit`): one `task.trigger.fired` event per due
   * instant, each queuing a run keyed (trigger, instant, 1), and the trigger's next fire time
   * (catch-up policy applied to missed instants). One transaction.
   */
  fireDueTriggers(input: FireDueTriggersInput): Promise<FireDueTriggersResult> {
    return fireDueTriggers(this.#deps, input);
  }

  /** Claims queued runs that are ready at `now` (`starting`, leased to `owner`), each with its task and agent spec. One transaction. */
  claimRuns(input: ClaimRunsInput): Promise<ClaimedRun[]> {
    return claimRuns(this.#deps, input);
  }

  /** The executor started the run: `running` (`task.run.started`). Only the lease holder (`lease_lost`). */
  markRunRunning(input: MarkRunRunningInput): Promise<TaskRun> {
    return markRunRunning(this.#deps, input);
  }

  /** Extends the lease (not journaled: a heartbeat is worker state). `lease_lost` when the lease is gone. */
  heartbeatRun(input: HeartbeatRunInput): Promise<TaskRun> {
    return heartbeatRun(this.#deps, input);
  }

  /** Ends a run: retry policy, then dependencies, then deliveries, in one transaction. Only the lease holder. */
  completeRun(input: CompleteRunInput): Promise<CompleteRunResult> {
    return completeRun(this.#deps, input);
  }

  /** Runs whose lease expired (their scheduler died): `failed` (`lease_expired`), retried per policy. Startup and the reconciler. */
  recoverExpiredLeases(input: RecoveryStep): Promise<RunRecoveryResult> {
    return recoverExpiredLeases(this.#deps, input);
  }

  /** Runs past a queue, run or heartbeat deadline: `timed_out`, retried per policy. */
  expireTimeouts(input: RecoveryStep): Promise<RunRecoveryResult> {
    return expireTimeouts(this.#deps, input);
  }

  /** Claims due deliveries (and ones whose claim expired) for `owner` (worker state, not journaled). */
  claimDeliveries(input: ClaimDeliveriesInput): Promise<ClaimedDelivery[]> {
    return claimDeliveries(this.#deps, input);
  }

  /**
   * Records one delivery attempt (journaled): `delivered` ends it (`task.delivery.delivered`,
   * the target thread in the event's envelope); `failed` schedules the next attempt with
   * backoff, or ends it `failed` when attempts run out. Only the claim holder (`lease_lost`).
   */
  recordDeliveryAttempt(input: RecordDeliveryAttemptInput): Promise<TaskDelivery> {
    return recordDeliveryAttempt(this.#deps, input);
  }

  /** A run's write lock: held at once, queued behind the holders, or `conflict` (`lock_held`) for `reject`. */
  acquireLock(input: AcquireLockInput): Promise<AcquireLockResult> {
    return acquireLock(this.#deps, input);
  }

  /** Releases a holder's locks and promotes the queued requests that no longer conflict. */
  releaseLock(input: ReleaseLockInput): Promise<ReleaseLocksResult> {
    return releaseLock(this.#deps, input);
  }

  /** Releases every held lock whose ttl ran out at `now`, promoting what waited behind it. */
  releaseExpiredLocks(input: { now: Date }): Promise<ReleaseLocksResult> {
    return releaseExpiredLocks(this.#deps, input);
  }
}


