import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { GatewaySettings } from '@cairn/config';
import { systemClock, type Clock } from './clock.js';
import { deliverOne, type DeliveryContext } from './deliveries.js';
import { runExecutor, type ExecutionResult, type ExecutorRegistry, type TaskExecution } from './executor.js';
import { INLINE_RESULT_MAX_CHARS, type CaptureResult } from './result-capture.js';
import type { StopReason } from './agent-executor.js';
import type { ClaimedRun } from '@cairn/crud';
import { toExecution, type SchedulerStore } from './scheduler-store.js';

/** What the scheduler logs through (pino's shape). */
export interface SchedulerLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface TaskSchedulerOptions {
  /** `store.tasks`. */
  tasks: SchedulerStore;
  executors: ExecutorRegistry;
  /** `[tasks]` settings. */
  settings: GatewaySettings['tasks'];
  /** Delivery of run outcomes (webhooks: the secret resolver and timeout). */
  delivery: Omit<DeliveryContext, 'clock' | 'signal'>;
  /** After each commit the scheduler made (the gateway wakes its notification hub). */
  onCommitted: (workspaceId: string) => void;
  /** A run this scheduler executed ended: its outcome, or `stopped` (shutdown, lost lease: left to recovery). Metrics. */
  onRunEnded?: (kind: string, outcome: ExecutionResult['outcome'] | 'stopped') => void;
  /** A delivery attempt this scheduler recorded. Metrics. */
  onDeliveryAttempt?: (kind: string, outcome: 'delivered' | 'failed') => void;
  log: SchedulerLog;
  clock?: Clock;
  /** Names this process in leases (default `<host>:<pid>:<random>`). */
  owner?: string;
  /**
   * Stores a succeeded run's result whose JSON is over `INLINE_RESULT_MAX_CHARS` (`[capture]
   * task_results`: as an artifact); the run records what it answers. Without it such a run
   * fails `result_too_large`; a capture that throws fails it `result_capture_failed`.
   */
  captureResult?: CaptureResult;
}

/** What one pass did. */
export interface SchedulerTick {
  fired: number;
  claimed: number;
  delivered: number;
  reconciled: boolean;
}

/** What a reconciler pass found and fixed. */
export interface ReconcileReport {
  recovered: number;
  timedOut: number;
  locksReleased: number;
}

/** A run's write lock lasts this long when its task sets no run timeout (its end releases it sooner). */
const LOCK_TTL_MS = 24 * 60 * 60 * 1000;

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
  readonly workspaceId: string;
  readonly taskId: string;
}

/** A lease owner unique to this process and start: a restarted gateway never mistakes its predecessor's lease for its own. */
export function schedulerOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * The task scheduler worker. Each pass: fire due triggers, claim queued runs (at most
 * `max_concurrent_runs` executing here at once) and start each on its kind's executor with a
 * heartbeat every `heartbeat_ms`, claim deliveries (at most `claim_batch` in flight) and attempt them; every
 * `reconciler_interval_ms` (and at start) recover expired leases, apply timeouts and release
 * expired write locks. Every store call takes `clock.now()` and this process's `owner`; the
 * store's claims make two schedulers on one database never run the same thing twice.
 *
 * A run stopped by `stop()` (shutdown) or whose lease was lost is NOT completed here: its lease
 * expires and the reconciler (of any gateway) retries or fails it per its retry policy, exactly
 * as after a crash.
 */
export class TaskScheduler {
  readonly owner: string;
  readonly #options: TaskSchedulerOptions;
  readonly #clock: Clock;
  readonly #running = new Map<string, Running>();
  readonly #deliveries = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  /** Aborts in-flight webhook attempts once `stop()`'s grace period is over (they are then left to their lease). */
  readonly #halt = new AbortController();
  #wake: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #lastReconcile = Number.NEGATIVE_INFINITY;

  constructor(options: TaskSchedulerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.owner = options.owner ?? schedulerOwner();
  }

  /** Runs executing in this process now. */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Reconciles once (leases a gateway that died left behind), then loops until `stop()`. A
   * failing first reconcile (a busy database) does not stop the gateway's start: it is logged
   * and the first pass of the loop runs it again.
   */
  async start(): Promise<void> {
    if (this.#loop) return;
    try {
      await this.reconcile();
    } catch (error) {
      this.#lastReconcile = Number.NEGATIVE_INFINITY;
      this.#options.log.warn({ err: error }, 'task reconciler failed at start; the scheduler retries it');
    }
    this.#loop = this.#run();
  }

  /** Something changed (a task created, resumed, rescheduled): pass again now instead of after `poll_ms`. */
  nudge(): void {
    this.#wake?.abort();
  }

  /**
   * `task/cancel` committed: stop the task's execution here, if one runs (its executor sees
   * `signal.reason === 'cancelled'`; an agent run cancels its turn). The store already ended the run.
   */
  cancelTask(workspaceId: string, taskId: string): void {
    for (const running of this.#running.values()) {
      if (running.workspaceId === workspaceId && running.taskId === taskId) running.controller.abort('cancelled' satisfies StopReason);
    }
  }

  /** One pass (the loop runs these; tests driving a `ManualClock` call it directly). */
  async tick(): Promise<SchedulerTick> {
    const { settings, tasks } = this.#options;
    const now = () => this.#clock.now();
    let reconciled = false;
    if (now().getTime() - this.#lastReconcile >= settings.reconciler_interval_ms) {
      await this.reconcile();
      reconciled = true;
    }
    const fired = await tasks.fireDueTriggers({ now: now(), owner: this.owner, limit: settings.claim_batch });
    this.#committed(fired.queued.map(workspaceOf));
    let claimed: ClaimedRun[] = [];
    const free = settings.max_concurrent_runs - this.#running.size;
    const kinds = this.#options.executors.kinds();
    if (free > 0 && kinds.length > 0 && !this.#stop.signal.aborted) {
      claimed = await tasks.claimRuns({ now: now(), owner: this.owner, lease_ms: settings.lease_ms, limit: Math.min(free, settings.claim_batch), executor_kinds: kinds });
      this.#committed(claimed.map((c) => c.run.workspace_id));
      for (const claim of claimed) this.#execute(claim);
    }
    let delivered = 0;
    // At most `claim_batch` delivery attempts in flight: a slow endpoint cannot pile them up.
    const deliverySlots = settings.claim_batch - this.#deliveries.size;
    if (!this.#stop.signal.aborted && deliverySlots > 0) {
      const deliveries = await tasks.claimDeliveries({ now: now(), owner: this.owner, lease_ms: settings.lease_ms, limit: deliverySlots });
      delivered = deliveries.length;
      const context: DeliveryContext = { ...this.#options.delivery, clock: this.#clock, signal: this.#halt.signal };
      for (const claim of deliveries) {
        const { delivery } = claim;
        const done = deliverOne(tasks, this.owner, claim, context, (outcome) => this.#options.onDeliveryAttempt?.(delivery.kind, outcome))
          .then(() => this.#committed([delivery.workspace_id]))
          .catch((error: unknown) => this.#options.log.warn({ err: error, delivery_id: delivery.delivery_id }, 'task delivery attempt not recorded; its lease expires and it is retried'))
          .finally(() => this.#deliveries.delete(done));
        this.#deliveries.add(done);
      }
    }
    return { fired: fired.queued.length, claimed: claimed.length, delivered, reconciled };
  }

  /** Expired leases retried or failed per their policy, timeouts applied, expired write locks released. */
  async reconcile(): Promise<ReconcileReport> {
    const { tasks } = this.#options;
    const started = this.#clock.now().getTime();
    const recovered = await tasks.recoverExpiredLeases({ now: this.#clock.now() });
    const timedOut = await tasks.expireTimeouts({ now: this.#clock.now() });
    const released = await tasks.releaseExpiredLocks({ now: this.#clock.now() });
    this.#lastReconcile = started;
    this.#committed([...recovered.ended, ...timedOut.ended, ...released.released, ...released.promoted].map(workspaceOf));
    const report = { recovered: recovered.ended.length, timedOut: timedOut.ended.length, locksReleased: released.released.length };
    if (report.recovered + report.timedOut + report.locksReleased > 0) this.#options.log.info({ ...report, owner: this.owner }, 'task reconciler');
    return report;
  }

  /**
   * Stops claiming; lets executing runs finish for up to `timeoutMs`, then aborts them
   * (`shutdown`: left to lease recovery, never completed half-way). Idempotent.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stop.abort();
    this.#wake?.abort();
    await this.#loop;
    const all = () => Promise.allSettled([...[...this.#running.values()].map((r) => r.done), ...this.#deliveries]);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    if ((await Promise.race([all().then(() => 'done' as const), timer])) === 'timeout') {
      for (const running of this.#running.values()) running.controller.abort('shutdown' satisfies StopReason);
      this.#halt.abort();
      await all();
    }
  }

  async #run(): Promise<void> {
    const { settings, log } = this.#options;
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      let worked = false;
      try {
        const tick = await this.tick();
        worked = tick.fired + tick.claimed + tick.delivered > 0;
        failures = 0;
      } catch (error) {
        // A busy database or a lost connection: the next pass retries (backing off up to 30 s).
        failures++;
        if (!this.#stop.signal.aborted) log.warn({ err: error, failures }, 'task scheduler pass failed; retrying');
      }
      if (this.#stop.signal.aborted) break;
      if (worked) continue;
      this.#wake = new AbortController();
      const pause = failures > 0 ? Math.min(30_000, settings.poll_ms * 2 ** Math.min(failures, 8)) : settings.poll_ms;
      await this.#clock.sleep(pause, AbortSignal.any([this.#wake.signal, this.#stop.signal]));
      this.#wake = undefined;
    }
  }

  /**
   * The task's write lock, when it declares one, before its work starts: `queue` waits here
   * (the lease kept by the heartbeat; re-asking is idempotent and sees the promotion), `reject`
   * fails the run with `lock_held`. The run's end releases it (the store does, whoever ends it);
   * the ttl only bounds a lock whose run never ends, which lease recovery prevents.
   */
  async #acquireLock(claim: ClaimedRun, signal: AbortSignal): Promise<ExecutionResult | 'acquired' | 'stopped'> {
    const lock = claim.task.lock;
    if (!lock) return 'acquired';
    const ask = () =>
      this.#options.tasks.acquireLock({
        workspace_id: claim.run.workspace_id,
        scope: lock.scope,
        ...(lock.path !== undefined ? { path: lock.path } : {}),
        holder: claim.run.run_id,
        ttl_ms: claim.task.timeouts.run_ms ?? LOCK_TTL_MS,
        conflict: lock.conflict,
        now: this.#clock.now(),
      });
    try {
      let result = await ask();
      this.#committed([claim.run.workspace_id]);
      while (!result.acquired) {
        await this.#clock.sleep(this.#options.settings.poll_ms, signal);
        if (signal.aborted) return 'stopped';
        result = await ask();
      }
      this.#committed([claim.run.workspace_id]);
      return 'acquired';
    } catch (error) {
      if ((error as { code?: unknown; details?: { reason?: unknown } }).details?.reason !== 'lock_held') throw error;
      return { outcome: 'failed', error: { code: 'lock_held', message: 'the write lock this task needs is held by another run' } };
    }
  }

  #execute(claim: ClaimedRun): void {
    const controller = new AbortController();
    const runId = claim.run.run_id;
    const workspaceId = claim.run.workspace_id;
    let marked: Promise<void> | undefined;
    // `task.run.started` once, when the executor (or, for most kinds, the scheduler) says so.
    const started: TaskExecution['started'] = (ids) =>
      (marked ??= this.#options.tasks
        .markRunRunning({
          run_id: runId,
          owner: this.owner,
          now: this.#clock.now(),
          lease_ms: this.#options.settings.lease_ms,
          ...(ids ? { thread_id: ids.threadId, turn_id: ids.turnId } : {}),
        })
        .then(() => this.#committed([workspaceId])));
    const execution = toExecution(claim, controller.signal, started);
    const done = this.#drive(claim, execution, controller)
      .catch((error: unknown) => this.#options.log.error({ err: error, run_id: runId }, 'task run not completed; its lease expires and the reconciler retries it'))
      .finally(() => {
        this.#running.delete(runId);
        // A slot is free: claim the next run now.
        this.nudge();
      });
    this.#running.set(runId, { controller, done, workspaceId, taskId: execution.taskId });
  }

  async #drive(claim: ClaimedRun, execution: TaskExecution, controller: AbortController): Promise<void> {
    const { tasks, settings, executors } = this.#options;
    const executor = executors.get(execution.kind);
    const owner = this.owner;
    const runId = execution.runId;
    if (!executor) return; // claimed only for registered kinds
    // A task whose heartbeat timeout is shorter than the gateway's beat is beaten often enough to stay inside it.
    const taskBeat = claim.task.timeouts.heartbeat_ms;
    const every = taskBeat === undefined ? settings.heartbeat_ms : Math.max(50, Math.min(settings.heartbeat_ms, Math.floor(taskBeat / 3)));
    const beat = this.#heartbeat(execution, controller, every);
    let result: ExecutionResult;
    try {
      const locked = await this.#acquireLock(claim, controller.signal);
      if (locked === 'stopped') result = { outcome: 'cancelled' };
      else if (locked !== 'acquired') result = locked;
      else {
        if (!executor.reportsStart) await execution.started();
        result = await runExecutor(executor, execution);
      }
    } finally {
      beat.cancel();
    }
    // An executor that ended before reporting its start (a bad input): the run still passes through running.
    if (!controller.signal.aborted) await execution.started();
    // Stopped for shutdown or a lost lease: someone else (the reconciler) decides this run's fate.
    const reason = controller.signal.reason as StopReason | undefined;
    if (reason === 'shutdown' || reason === 'lease_lost') {
      this.#options.onRunEnded?.(execution.kind, 'stopped');
      return;
    }
    if (reason === 'cancelled') {
      this.#options.onRunEnded?.(execution.kind, 'cancelled');
      this.#committed([execution.workspaceId]);
      return; // task/cancel ended the run in the store already
    }
    if (result.outcome === 'succeeded' && result.result !== undefined && JSON.stringify(result.result).length > INLINE_RESULT_MAX_CHARS) {
      result = await this.#oversized(execution, result.result);
    }
    await tasks.completeRun({
      run_id: runId,
      owner,
      now: this.#clock.now(),
      outcome: result.outcome,
      ...(result.outcome === 'succeeded' ? { result: result.result ?? null } : {}),
      ...(result.outcome !== 'succeeded' && result.error ? { error: result.error } : {}),
    });
    this.#options.onRunEnded?.(execution.kind, result.outcome);
    this.#committed([execution.workspaceId]);
  }

  /** A result too large to keep inline: captured (an artifact), else the run fails. */
  async #oversized(execution: TaskExecution, value: Record<string, unknown>): Promise<ExecutionResult> {
    const capture = this.#options.captureResult;
    if (!capture) {
      return { outcome: 'failed', error: { code: 'result_too_large', message: `the result is over ${INLINE_RESULT_MAX_CHARS} characters and [capture] task_results is off` } };
    }
    try {
      return { outcome: 'succeeded', result: await capture(execution, value) };
    } catch (error) {
      this.#options.log.warn({ err: error, run_id: execution.runId }, 'task result not captured; the run fails');
      return { outcome: 'failed', error: { code: 'result_capture_failed', message: String((error as Error)?.message ?? error).slice(0, 500) } };
    }
  }

  #heartbeat(execution: TaskExecution, controller: AbortController, everyMs: number): { cancel(): void } {
    let timer = this.#clock.setTimer(everyMs, beat);
    let cancelled = false;
    const { tasks, settings } = this.#options;
    const clock = this.#clock;
    const owner = this.owner;
    const log = this.#options.log;
    function beat() {
      if (cancelled) return;
      tasks
        .heartbeatRun({ run_id: execution.runId, owner, lease_ms: settings.lease_ms, now: clock.now() })
        .then(() => {
          if (!cancelled) timer = clock.setTimer(everyMs, beat);
        })
        .catch(async (error: unknown) => {
          if (cancelled) return;
          if ((error as { code?: unknown } | null)?.code !== 'lease_lost') {
            log.warn({ err: error, run_id: execution.runId }, 'task heartbeat failed; retrying');
            timer = clock.setTimer(Math.max(50, Math.floor(everyMs / 2)), beat);
            return;
          }
          // The run is no longer ours: its task was cancelled (here, by another gateway or the
          // cli), or its lease expired and was recovered. Only a cancel also cancels its work.
          const status = await tasks
            .get({ workspace_id: execution.workspaceId, task_id: execution.taskId })
            .then((detail) => detail.task.status)
            .catch(() => undefined);
          const reason: StopReason = status === 'cancelled' ? 'cancelled' : 'lease_lost';
          log.warn({ run_id: execution.runId, reason }, 'task run is no longer held by this scheduler; stopping it');
          controller.abort(reason);
        });
    }
    return {
      cancel() {
        cancelled = true;
        timer.cancel();
      },
    };
  }

  #committed(workspaceIds: readonly string[]): void {
    for (const workspaceId of new Set(workspaceIds)) this.#options.onCommitted(workspaceId);
  }
}

function workspaceOf(item: { workspace_id: string }): string {
  return item.workspace_id;
}
