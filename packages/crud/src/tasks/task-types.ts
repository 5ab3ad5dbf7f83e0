import type { AgentSpec, ExecutorKind, Task, TaskDelivery, TaskError, TaskRun, WriteLock } from '@cairn/protocol';
import type { EventLog } from '../event-log/types.js';
import type { StoreContext } from '../store/store-context.js';

/** What the task operations need: the store context and the store's one event log. */
export interface TaskDeps {
  context: StoreContext;
  events: EventLog;
}

/** The time an RPC-shaped operation acts at (default the store clock): tests drive simulated time through it. */
export interface TaskClockOptions {
  now?: Date;
}

/**
 * Every scheduler primitive names the instant it acts at (`now`, never the wall clock, so tests
 * drive simulated time) and, when it takes or holds a lease, the claiming process (`owner`).
 */
export interface SchedulerStep {
  now: Date;
  owner: string;
}

/** `fireDueTriggers`: at most `limit` (default 100) due triggers this call. */
export interface FireDueTriggersInput extends SchedulerStep {
  limit?: number;
}
export interface FireDueTriggersResult {
  /** The runs queued, one per due instant fired (a catch-up `all` may fire several per trigger). */
  queued: TaskRun[];
  /** Triggers that advanced (fired, skipped missed instants, or ended). */
  triggers: number;
}

/** `claimRuns`: queued runs whose `ready_at` has come, oldest first, for `owner` until `now + lease_ms`. */
export interface ClaimRunsInput extends SchedulerStep {
  lease_ms: number;
  /** Default 10. */
  limit?: number;
  /** Only runs of these executor kinds (default every kind). */
  executor_kinds?: readonly ExecutorKind[];
}
/** A claimed run (`starting`, leased) with what its executor needs. */
export interface ClaimedRun {
  run: TaskRun;
  task: Task;
  agent: AgentSpec | null;
}

/** The executor started the run (`running`); an agent run names its subagent thread and turn. */
export interface MarkRunRunningInput extends SchedulerStep {
  run_id: string;
  /** Extends the lease to `now + lease_ms` when given. */
  lease_ms?: number;
  thread_id?: string;
  turn_id?: string;
}

/** Extends the lease to `now + lease_ms`; `lease_lost` when `owner` no longer holds it. */
export interface HeartbeatRunInput extends SchedulerStep {
  run_id: string;
  lease_ms: number;
}

export type RunOutcome = 'succeeded' | 'failed' | 'timed_out' | 'cancelled';

/** The executor's end of a run. Only the lease holder; `lease_lost` otherwise. */
export interface CompleteRunInput extends SchedulerStep {
  run_id: string;
  outcome: RunOutcome;
  result?: unknown;
  error?: TaskError;
}
/** What ending one run did: the retry it scheduled, the dependents it queued or ended, the deliveries it created. */
export interface CompleteRunResult {
  run: TaskRun;
  task: Task;
  /** The next attempt, queued at its backoff time, when the retry policy allowed one. */
  retry: TaskRun | null;
  /** Runs queued for dependent tasks whose condition this outcome met. */
  dependents_queued: TaskRun[];
  /** Dependent tasks whose condition this outcome made impossible (failed or cancelled per `on_unmet`). */
  dependents_ended: Task[];
  deliveries: TaskDelivery[];
}

/** `recoverExpiredLeases` / `expireTimeouts`: what was ended, and which of those got a retry. */
export interface RunRecoveryResult {
  /** Runs ended (`failed` with `lease_expired`, or `timed_out`). */
  ended: TaskRun[];
  /** The retries queued for them. */
  retried: TaskRun[];
  /** Of `ended`, the ones whose task failed because no attempt was left. */
  failed: TaskRun[];
}
export interface RecoveryStep {
  now: Date;
  /** At most this many runs per call (default 500). */
  limit?: number;
}

export interface ClaimDeliveriesInput extends SchedulerStep {
  lease_ms: number;
  /** Default 10. */
  limit?: number;
}
export interface ClaimedDelivery {
  delivery: TaskDelivery;
  task: Task;
  run: TaskRun;
}
export interface RecordDeliveryAttemptInput extends SchedulerStep {
  delivery_id: string;
  outcome: 'delivered' | 'failed';
  error?: string;
  response_status?: number;
}

/** A run asks for a write lock (`holder` is its run id) for `ttl_ms`. */
export interface AcquireLockInput {
  workspace_id: string;
  scope: 'workspace' | 'path';
  path?: string;
  holder: string;
  ttl_ms: number;
  conflict: 'queue' | 'reject';
  now: Date;
}
export type AcquireLockResult =
  | { acquired: true; lock: WriteLock }
  /** `queue`: the request waits (a `queued` row) behind these held locks; it is promoted when they go. */
  | { acquired: false; lock: WriteLock; queued_behind: WriteLock[] };

/** Releases `holder`'s locks (one `lock_id`, or all of them), promoting queued requests that no longer conflict. */
export interface ReleaseLockInput {
  holder: string;
  lock_id?: string;
  now: Date;
}
export interface ReleaseLocksResult {
  released: WriteLock[];
  /** Queued requests that became held. */
  promoted: WriteLock[];
}
