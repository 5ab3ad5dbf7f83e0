import { CairnError } from '@cairn/protocol';
import { Type } from 'typebox';

/**
 * `[tasks]`: the gateway's task scheduler (see the gateway README, "Tasks"). Each loop of
 * the scheduler fires due triggers, claims up to `claim_batch` queued runs with a lease of
 * `lease_ms` and runs at most `max_concurrent_runs` at a time, renewing each lease every
 * `heartbeat_ms`; it sleeps `poll_ms` between loops when there was nothing to do. Every
 * `reconciler_interval_ms` (and at start) runs whose lease expired are retried or failed per
 * their retry policy, timeouts are applied and expired write locks released. Webhook
 * deliveries time out after `webhook_timeout_ms`.
 */
export const TaskSettings = Type.Object(
  {
    /** Whether this gateway runs the scheduler (several gateways on one PostgreSQL may all run it: claims never overlap). */
    scheduler_enabled: Type.Boolean({ default: true }),
    poll_ms: Type.Integer({ default: 1000, minimum: 10, maximum: 3_600_000 }),
    lease_ms: Type.Integer({ default: 30_000, minimum: 100, maximum: 86_400_000 }),
    heartbeat_ms: Type.Integer({ default: 10_000, minimum: 50, maximum: 3_600_000 }),
    claim_batch: Type.Integer({ default: 16, minimum: 1, maximum: 1000 }),
    max_concurrent_runs: Type.Integer({ default: 8, minimum: 1, maximum: 1000 }),
    reconciler_interval_ms: Type.Integer({ default: 15_000, minimum: 100, maximum: 86_400_000 }),
    webhook_timeout_ms: Type.Integer({ default: 10_000, minimum: 100, maximum: 600_000 }),
  },
  { default: {}, additionalProperties: false },
);

/** A heartbeat must come well inside its lease, or every run would lose its lease between two beats. */
export function checkTaskSettings(tasks: { lease_ms: number; heartbeat_ms: number }, origin: string): void {
  if (tasks.heartbeat_ms * 2 > tasks.lease_ms) {
    throw new CairnError('invalid_params', `invalid settings in ${origin}: tasks.heartbeat_ms (${tasks.heartbeat_ms}) must be at most half of tasks.lease_ms (${tasks.lease_ms})`, {
      details: { origin, problems: ['/tasks/heartbeat_ms: at most half of lease_ms'] },
    });
  }
}
