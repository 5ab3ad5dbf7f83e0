import { CairnError, type TaskDelivery, type TaskDeliveryAttempt } from '@cairn/protocol';
import { appendTaskEvent, lockTaskState } from '../task-events.js';
import { DELIVERY_COLUMNS, findDelivery, findRun, findTask, rowLock, toDelivery, type Row } from '../task-rows.js';
import { addMs, backoffOf, deliveryBackoffMs } from '../task-status.js';
import type { ClaimDeliveriesInput, ClaimedDelivery, RecordDeliveryAttemptInput, TaskDeps } from '../task-types.js';
import { checkStep } from './step-input.js';

// `ready_at`: next attempt while pending, lease end while delivering, NULL once closed. One
// range of `idx_task_delivery_ready` finds due deliveries and expired claims alike.
const CANDIDATES = `SELECT ${DELIVERY_COLUMNS} FROM task_delivery WHERE ready_at IS NOT NULL AND ready_at <= ? ORDER BY ready_at, delivery_id LIMIT ?`;
const CLAIM = `UPDATE task_delivery SET status = 'delivering', lease_owner = ?, lease_expires_at = ?, ready_at = ?
  WHERE delivery_id = ? AND status IN ('pending', 'delivering') AND ready_at IS NOT NULL AND ready_at <= ?`;

/** Claims due deliveries (and ones whose claim expired) for `owner` until `now + lease_ms`: worker state, not journaled. */
export async function claimDeliveries(deps: TaskDeps, input: ClaimDeliveriesInput): Promise<ClaimedDelivery[]> {
  checkStep('claimDeliveries', input, { owner: true, lease: true });
  const now = input.now.toISOString();
  const expires = addMs(now, input.lease_ms);
  return deps.context.write(async (ctx) => {
    const rows = await ctx.all<Row>(CANDIDATES + ctx.dialect.claimLock, [now, input.limit ?? 10]);
    const out: ClaimedDelivery[] = [];
    for (const row of rows) {
      const d = toDelivery(row);
      const { changes } = await ctx.run(CLAIM, [input.owner, expires, expires, d.delivery_id, now]);
      if (changes !== 1) continue;
      const delivery = (await findDelivery(ctx, d.delivery_id))!;
      const run = (await findRun(ctx, d.run_id))!;
      const task = await findTask(ctx, d.task_id);
      if (!task) continue;
      out.push({ delivery, task, run });
    }
    return out;
  });
}

/**
 * One attempt's outcome (journaled): `delivered` closes the delivery (`task.delivery.delivered`,
 * the target thread in the event's envelope so its subscribers see it); `failed` schedules the
 * next attempt after the backoff (`task.delivery.attempted`) or, out of attempts, closes it
 * `failed` (`task.delivery.failed`). Only the claim holder (`lease_lost`).
 */
export async function recordDeliveryAttempt(deps: TaskDeps, input: RecordDeliveryAttemptInput): Promise<TaskDelivery> {
  checkStep('recordDeliveryAttempt', input, { owner: true });
  if (input.outcome !== 'delivered' && input.outcome !== 'failed') throw new CairnError('invalid_params', 'recordDeliveryAttempt: outcome is delivered or failed');
  if (input.response_status !== undefined && (!Number.isInteger(input.response_status) || input.response_status < 100 || input.response_status > 599)) {
    throw new CairnError('invalid_params', 'recordDeliveryAttempt: response_status is an HTTP status');
  }
  const now = input.now.toISOString();
  return deps.context.write(async (ctx) => {
    const peek = await findDelivery(ctx, input.delivery_id);
    if (!peek) throw new CairnError('not_found', `no task delivery ${input.delivery_id}`, { details: { delivery_id: input.delivery_id } });
    const state = (await lockTaskState(ctx, peek.task_id, peek.workspace_id))!;
    const d = (await findDelivery(ctx, input.delivery_id, rowLock(ctx)))!;
    if (d.status !== 'delivering' || d.lease_owner !== input.owner) {
      throw new CairnError('lease_lost', `delivery ${d.delivery_id}: the claim of ${input.owner} is lost (it is ${d.status}${d.lease_owner ? `, held by ${d.lease_owner}` : ''})`, {
        details: { delivery_id: d.delivery_id, owner: input.owner, status: d.status },
      });
    }
    const attempts = d.attempts + 1;
    const error = input.error === undefined ? null : String(deps.context.redactText(input.error)).slice(0, 4000);
    const attempt: TaskDeliveryAttempt = {
      delivery_id: d.delivery_id,
      attempt: attempts,
      workspace_id: d.workspace_id,
      owner: input.owner,
      outcome: input.outcome,
      response_status: input.response_status ?? null,
      error,
      attempted_at: now,
    };
    const closed = { lease_owner: null, lease_expires_at: null };
    let next: TaskDelivery;
    let type: 'task.delivery.delivered' | 'task.delivery.attempted' | 'task.delivery.failed';
    if (input.outcome === 'delivered') {
      next = { ...d, ...closed, attempts, status: 'delivered', delivered_at: now, next_attempt_at: null, last_error: null };
      type = 'task.delivery.delivered';
    } else if (attempts >= d.max_attempts) {
      next = { ...d, ...closed, attempts, status: 'failed', next_attempt_at: null, last_error: error };
      type = 'task.delivery.failed';
    } else {
      const wait = deliveryBackoffMs(backoffOf(state.task.delivery_policy), attempts);
      next = { ...d, ...closed, attempts, status: 'pending', next_attempt_at: addMs(now, wait), last_error: error };
      type = 'task.delivery.attempted';
    }
    await appendTaskEvent(
      ctx,
      deps,
      type,
      { task: { ...state.task, updated_at: now }, delivery: next, deliveries: [next], attempts: [attempt] },
      { now, threadId: type === 'task.delivery.delivered' ? next.thread_id : null, idempotencyKey: `delivery:${d.delivery_id}:${attempts}` },
    );
    return next;
  });
}
