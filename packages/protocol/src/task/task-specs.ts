import { Type, type Static } from 'typebox';
import { ThreadId, idSchema } from '../common/ids.js';

const strict = { additionalProperties: false } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The task module's limits: what one task may declare, and the bounds on its policies. */
export const TASK_LIMITS = {
  titleLength: 500,
  triggersPerTask: 16,
  dependenciesPerTrigger: 64,
  deliveriesPerTask: 8,
  cronLength: 200,
  timeZoneLength: 64,
  /** The `all` catch-up policy fires at most this many missed instants per trigger at once. */
  catchUpMax: 1000,
  maxAttempts: 100,
  /** Any delay, timeout or interval, in milliseconds (one year). */
  maxMs: 366 * DAY_MS,
  leaseMaxMs: DAY_MS,
  urlLength: 2048,
  pathLength: 4096,
  errorMessageLength: 4000,
  /** Serialized JSON of a task's `input`, a run's `result`, an executor config. */
  jsonBytes: 256 * 1024,
  instructionsLength: 100_000,
  toolsPerAgent: 256,
  claimBatchMax: 500,
} as const;

/** Task id, unique across the gateway (client-suppliable for optimistic UI). */
export const TaskId = idSchema('Task id, unique across the gateway.');
export type TaskId = Static<typeof TaskId>;
/** Trigger id (`<task_id>:t<n>` when the server names it). */
export const TaskTriggerId = idSchema('Task trigger id.');
export type TaskTriggerId = Static<typeof TaskTriggerId>;
/** Run id, one per attempt of one firing. */
export const TaskRunId = idSchema('Task run id.');
export type TaskRunId = Static<typeof TaskRunId>;
export const TaskDeliveryId = idSchema('Task delivery id.');
export type TaskDeliveryId = Static<typeof TaskDeliveryId>;
export const WriteLockId = idSchema('Write lock id.');
export type WriteLockId = Static<typeof WriteLockId>;
/** The claiming process (a gateway's scheduler), named in leases. */
export const SchedulerOwner = Type.String({ minLength: 1, maxLength: 200 });
export type SchedulerOwner = Static<typeof SchedulerOwner>;

const Ms = Type.Integer({ minimum: 0, maximum: TASK_LIMITS.maxMs });
const PositiveMs = Type.Integer({ minimum: 1, maximum: TASK_LIMITS.maxMs });

/**
 * `draft`: created, not armed (resume arms it). `scheduled`: waits for a trigger.
 * `waiting`: waits for its dependencies. `queued`: a run waits for an executor. `running`: a
 * run is starting or running. `paused`: nothing fires or is claimed until resumed. Terminal:
 * `completed`, `failed`, `cancelled`.
 */
export const TaskStatus = Type.Union([
  Type.Literal('draft'),
  Type.Literal('scheduled'),
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('waiting'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
  Type.Literal('paused'),
]);
export type TaskStatus = Static<typeof TaskStatus>;
/** The statuses a task never leaves. */
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * `queued`: waits until its `ready_at`, then a scheduler may claim it. `starting`: claimed,
 * the executor is starting it (lease held). `running`: the executor reported it started.
 * Terminal: `succeeded`, `failed`, `cancelled`, `timed_out`.
 */
export const TaskRunStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('starting'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
  Type.Literal('timed_out'),
]);
export type TaskRunStatus = Static<typeof TaskRunStatus>;
export const TERMINAL_RUN_STATUSES: readonly TaskRunStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** Who runs a task's runs: the gateway's executors, pluggable by kind. */
export const ExecutorKind = Type.Union([Type.Literal('agent'), Type.Literal('tool'), Type.Literal('webhook'), Type.Literal('system')]);
export type ExecutorKind = Static<typeof ExecutorKind>;

/** An IANA time zone name (`Europe/Berlin`); checked against the runtime's zone database. */
export const TimeZone = Type.String({ minLength: 1, maxLength: TASK_LIMITS.timeZoneLength });

/**
 * After downtime, what a recurring trigger does with the instants it missed: `latest` fires
 * once for the latest missed instant, `skip` fires none (the next future instant only), `all`
 * fires every missed instant, at most `max` (default and bound `TASK_LIMITS.catchUpMax`;
 * the oldest beyond it are dropped).
 */
export const CatchUpPolicy = Type.Union([
  Type.Object({ mode: Type.Literal('latest') }, strict),
  Type.Object({ mode: Type.Literal('skip') }, strict),
  Type.Object({ mode: Type.Literal('all'), max: Type.Optional(Type.Integer({ minimum: 1, maximum: TASK_LIMITS.catchUpMax })) }, strict),
]);
export type CatchUpPolicy = Static<typeof CatchUpPolicy>;

/** What a dependency trigger waits for among its upstream tasks' terminal statuses. */
export const DependencyCondition = Type.Union([Type.Literal('all_succeeded'), Type.Literal('any_succeeded'), Type.Literal('all_terminal')]);
export type DependencyCondition = Static<typeof DependencyCondition>;

/** When a dependency condition can no longer be met (an upstream task failed): the task `fail`s (default) or is `cancel`led. */
export const DependencyUnmetPolicy = Type.Union([Type.Literal('fail'), Type.Literal('cancel')]);
export type DependencyUnmetPolicy = Static<typeof DependencyUnmetPolicy>;

/**
 * When a task runs. `immediate`: once, at creation. `scheduled_at`: once, at `at`.
 * `interval`: every `every_ms` from `start_at` (default creation). `cron`: a 5- or 6-field
 * cron expression in an IANA `time_zone` (DST per croner, see crud's README). `manual`: only
 * when `task/reschedule` names a `run_at`. `dependency`: once, when `condition` holds over
 * `task_ids` (same workspace, no cycle). Recurring triggers may end at `end_at`.
 */
export const TriggerSpec = Type.Union([
  Type.Object({ kind: Type.Literal('immediate') }, strict),
  Type.Object({ kind: Type.Literal('scheduled_at'), at: Type.String({ format: 'date-time' }) }, strict),
  Type.Object(
    {
      kind: Type.Literal('interval'),
      every_ms: Type.Integer({ minimum: 1000, maximum: TASK_LIMITS.maxMs }),
      start_at: Type.Optional(Type.String({ format: 'date-time' })),
      end_at: Type.Optional(Type.String({ format: 'date-time' })),
      catch_up: Type.Optional(CatchUpPolicy),
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('cron'),
      expression: Type.String({ minLength: 1, maxLength: TASK_LIMITS.cronLength }),
      time_zone: TimeZone,
      end_at: Type.Optional(Type.String({ format: 'date-time' })),
      catch_up: Type.Optional(CatchUpPolicy),
    },
    strict,
  ),
  Type.Object({ kind: Type.Literal('manual') }, strict),
  Type.Object(
    {
      kind: Type.Literal('dependency'),
      condition: DependencyCondition,
      task_ids: Type.Array(TaskId, { minItems: 1, maxItems: TASK_LIMITS.dependenciesPerTrigger }),
      on_unmet: Type.Optional(DependencyUnmetPolicy),
    },
    strict,
  ),
]);
export type TriggerSpec = Static<typeof TriggerSpec>;
export type TriggerKind = TriggerSpec['kind'];

/**
 * Retries after a run `failed` or `timed_out` (never after `cancelled`). `max_attempts`
 * counts the first. `fixed`: `delay_ms` between attempts. `exponential`: `initial_delay_ms
 * * factor^(attempt-1)`, capped at `max_delay_ms`.
 */
export const RetryPolicy = Type.Union([
  Type.Object({ kind: Type.Literal('none') }, strict),
  Type.Object({ kind: Type.Literal('fixed'), max_attempts: Type.Integer({ minimum: 1, maximum: TASK_LIMITS.maxAttempts }), delay_ms: Ms }, strict),
  Type.Object(
    {
      kind: Type.Literal('exponential'),
      max_attempts: Type.Integer({ minimum: 1, maximum: TASK_LIMITS.maxAttempts }),
      initial_delay_ms: Ms,
      factor: Type.Optional(Type.Number({ minimum: 1, maximum: 10 })),
      max_delay_ms: Type.Optional(Ms),
    },
    strict,
  ),
]);
export type RetryPolicy = Static<typeof RetryPolicy>;

/**
 * Deadlines of a run, each optional: `queue_ms` from ready to claimed, `run_ms` from claimed
 * to ended, `heartbeat_ms` between heartbeats while starting or running. Past one, the run is
 * `timed_out` (and the retry policy applies).
 */
export const TimeoutPolicy = Type.Object(
  { queue_ms: Type.Optional(PositiveMs), run_ms: Type.Optional(PositiveMs), heartbeat_ms: Type.Optional(PositiveMs) },
  strict,
);
export type TimeoutPolicy = Static<typeof TimeoutPolicy>;

/** Which run outcomes a delivery is made for (default `always`: every final outcome). */
export const DeliveryOn = Type.Union([Type.Literal('always'), Type.Literal('success'), Type.Literal('failure')]);
export type DeliveryOn = Static<typeof DeliveryOn>;

/**
 * Where a run's outcome goes: the task's owner thread, another thread of the same workspace,
 * or a webhook (POST; HMAC-SHA256 signed when `secret_ref` names a keystore secret).
 */
export const DeliverySpec = Type.Union([
  Type.Object({ kind: Type.Literal('owner_thread'), on: Type.Optional(DeliveryOn) }, strict),
  Type.Object({ kind: Type.Literal('thread'), thread_id: ThreadId, on: Type.Optional(DeliveryOn) }, strict),
  Type.Object(
    {
      kind: Type.Literal('webhook'),
      url: Type.String({ minLength: 1, maxLength: TASK_LIMITS.urlLength, pattern: '^https?://' }),
      secret_ref: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^secret://' })),
      on: Type.Optional(DeliveryOn),
    },
    strict,
  ),
]);
export type DeliverySpec = Static<typeof DeliverySpec>;
export type DeliveryKind = DeliverySpec['kind'];

/** Attempts and backoff of every delivery of a task (defaults: 5 attempts, 1 s doubling to 5 min). */
export const DeliveryPolicy = Type.Object(
  {
    max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: TASK_LIMITS.maxAttempts })),
    initial_backoff_ms: Type.Optional(Ms),
    max_backoff_ms: Type.Optional(Ms),
  },
  strict,
);
export type DeliveryPolicy = Static<typeof DeliveryPolicy>;

/**
 * The write lock a run takes before it changes files: the whole workspace, or one `path`
 * (which conflicts with its ancestors and descendants). `conflict`: `queue` waits behind the
 * holder, `reject` fails at once (`conflict`, `details.reason: 'lock_held'`).
 */
export const LockSpec = Type.Object(
  {
    scope: Type.Union([Type.Literal('workspace'), Type.Literal('path')]),
    path: Type.Optional(Type.String({ minLength: 1, maxLength: TASK_LIMITS.pathLength })),
    conflict: Type.Union([Type.Literal('queue'), Type.Literal('reject')]),
  },
  strict,
);
export type LockSpec = Static<typeof LockSpec>;

/** What an `agent` run's subagent gets: model, instructions, tools, limits. */
export const AgentSpecInput = Type.Object(
  {
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    instructions: Type.String({ maxLength: TASK_LIMITS.instructionsLength }),
    tools: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: TASK_LIMITS.toolsPerAgent })),
    max_turns: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    max_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  },
  strict,
);
export type AgentSpecInput = Static<typeof AgentSpecInput>;

/** A run's failure: a stable code and a redacted message. */
export const TaskError = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 100 }), message: Type.String({ maxLength: TASK_LIMITS.errorMessageLength }) },
  strict,
);
export type TaskError = Static<typeof TaskError>;
