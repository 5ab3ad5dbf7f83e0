import {
  RecoveryExhaustedEvent,
  RecoveryOpenedEvent,
  RecoverySucceededEvent,
  RetryScheduledEvent,
  TURN_RECORD_LIMITS,
  type ProviderFailure,
} from '@cairn/protocol';
import { NOOP_ALREADY_STARTED, NOOP_ALREADY_TERMINAL, applied, violation } from '../event-log/decision.js';
import { turnPayloadOf } from '../event-log/payload-of.js';
import type { Decision } from '../event-log/types.js';
import type { PendingEvent } from '../journal/types.js';
import type { WriteContext } from '../store/store-context.js';
import { addMs } from '../turn-records/record-values.js';
import { findOpenJobForItem, findRecoveryJob, insertRecoveryJob, recoveryJobId, type RecoveryJobRow } from './recovery-job-rows.js';

const text = (value: unknown, max: number): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null);
const integer = (value: unknown, min: number, max: number): number | null =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max ? (value as number) : null;

/**
 * Provider failure metadata rides on `recovery.opened` as a free-form `failure` object (the
 * journal has already redacted it). The fields of `ProviderFailure` are picked out by name and
 * type, anything else is ignored; without a failure, the event's `reason` stands in as the
 * error class.
 */
export function failureOf(raw: unknown, reason: string | undefined): ProviderFailure {
  const f = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return {
    provider: text(f.provider, 128),
    model: text(f.model, 256),
    http_status: integer(f.http_status, 100, 599),
    error_class: text(f.error_class, 128) ?? text(reason, 128),
    retry_after_ms: integer(f.retry_after_ms, 0, Number.MAX_SAFE_INTEGER),
    message: text(f.message, TURN_RECORD_LIMITS.errorMessageLength),
  };
}

function toIso(value: string): string | undefined {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function isOpen(row: RecoveryJobRow): boolean {
  return row.status === 'pending' || row.status === 'claimed';
}

function newJob(event: PendingEvent, fields: Pick<RecoveryJobRow, 'job_id' | 'recovery_id' | 'item_id' | 'attempt' | 'due_at'>, failure: ProviderFailure): RecoveryJobRow {
  return {
    ...fields,
    workspace_id: event.workspaceId,
    turn_id: event.streamId,
    status: 'pending',
    ready_at: fields.due_at,
    provider: failure.provider,
    model: failure.model,
    http_status: failure.http_status,
    error_class: failure.error_class,
    retry_after_ms: failure.retry_after_ms,
    error_message: failure.message,
    claimed_by: null,
    claimed_at: null,
    claim_expires_at: null,
    claim_count: 0,
    failed_claims: 0,
    opened_at: event.recordedAt,
    closed_at: null,
    updated_at: event.recordedAt,
  };
}

/** `recovery.opened`: a new pending job, due at the event's `due_at`, else after the provider's retry-after, else at once. */
export async function decideRecoveryOpened(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
  const parsed = turnPayloadOf(RecoveryOpenedEvent, event);
  if (!parsed.ok) return parsed.refusal;
  const p = parsed.value;
  const jobId = recoveryJobId(event.workspaceId, event.streamId, { recoveryId: p.recovery_id });
  const existing = await findRecoveryJob(ctx, jobId);
  if (existing) return isOpen(existing) ? NOOP_ALREADY_STARTED : NOOP_ALREADY_TERMINAL;
  const failure = failureOf(p.failure, p.reason);
  const dueAt = p.due_at !== undefined ? toIso(p.due_at) : addMs(event.recordedAt, failure.retry_after_ms ?? 0);
  if (dueAt === undefined) return violation('recovery.opened due_at is not a timestamp');
  return applied(() =>
    insertRecoveryJob(ctx, newJob(event, { job_id: jobId, recovery_id: p.recovery_id, item_id: p.item_id ?? null, attempt: 0, due_at: dueAt }, failure)),
  );
}

/**
 * `retry.scheduled`: re-arms the job for `attempt` at `due_at`, dropping any claim (the
 * holder handed the job back by scheduling the retry). Opens the job when no event did yet,
 * and re-opens one its holder had `completed`. An attempt not newer than the job's is a replay.
 */
export async function decideRetryScheduled(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
  const parsed = turnPayloadOf(RetryScheduledEvent, event);
  if (!parsed.ok) return parsed.refusal;
  const p = parsed.value;
  const dueAt = toIso(p.due_at);
  if (dueAt === undefined) return violation('retry.scheduled due_at is not a timestamp');
  const existing =
    p.recovery_id !== undefined
      ? await findRecoveryJob(ctx, recoveryJobId(event.workspaceId, event.streamId, { recoveryId: p.recovery_id }))
      : ((await findOpenJobForItem(ctx, event.streamId, p.item_id)) ??
        (await findRecoveryJob(ctx, recoveryJobId(event.workspaceId, event.streamId, { itemId: p.item_id }))));
  if (!existing) {
    const jobId = recoveryJobId(event.workspaceId, event.streamId, p.recovery_id !== undefined ? { recoveryId: p.recovery_id } : { itemId: p.item_id });
    const fields = { job_id: jobId, recovery_id: p.recovery_id ?? null, item_id: p.item_id, attempt: p.attempt, due_at: dueAt };
    return applied(() => insertRecoveryJob(ctx, newJob(event, fields, failureOf(undefined, p.reason))));
  }
  // A job its holder marked `completed` re-opens for a newer attempt; one the turn closed stays closed.
  if (!isOpen(existing) && existing.status !== 'completed') return NOOP_ALREADY_TERMINAL;
  if (existing.attempt >= p.attempt) return isOpen(existing) ? NOOP_ALREADY_STARTED : NOOP_ALREADY_TERMINAL;
  return applied(async () => {
    await ctx.run(
      `UPDATE recovery_job SET status = 'pending', attempt = ?, due_at = ?, ready_at = ?, item_id = coalesce(item_id, ?),
         claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, closed_at = NULL, updated_at = ? WHERE job_id = ?`,
      [p.attempt, dueAt, dueAt, p.item_id, event.recordedAt, existing.job_id],
    );
  });
}

/** `recovery.succeeded` / `recovery.exhausted`: closes the job; the holder, if any, stays on record. */
export async function decideRecoveryClosed(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
  const succeeded = event.type === 'recovery.succeeded';
  const parsed = succeeded ? turnPayloadOf(RecoverySucceededEvent, event) : turnPayloadOf(RecoveryExhaustedEvent, event);
  if (!parsed.ok) return parsed.refusal;
  const jobId = recoveryJobId(event.workspaceId, event.streamId, { recoveryId: parsed.value.recovery_id });
  const existing = await findRecoveryJob(ctx, jobId);
  if (!existing) return violation(`${event.type}: no recovery job for recovery ${parsed.value.recovery_id}`);
  if (!isOpen(existing)) return NOOP_ALREADY_TERMINAL;
  return applied(async () => {
    await ctx.run(
      `UPDATE recovery_job SET status = ?, ready_at = NULL, claim_expires_at = NULL, closed_at = ?, updated_at = ? WHERE job_id = ?`,
      [succeeded ? 'succeeded' : 'exhausted', event.recordedAt, event.recordedAt, jobId],
    );
  });
}

/**
 * A turn ended: recovery jobs still open can no longer help it, so they close as `abandoned`
 * and no worker claims them. None open (a replay, a repair of an ended turn): a no-op.
 */
export async function decideTurnEnd(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
  const turnId = event.streamId;
  const open = await ctx.get<{ n: number }>(`SELECT count(*) AS n FROM recovery_job WHERE turn_id = ? AND status IN ('pending', 'claimed')`, [turnId]);
  if ((open?.n ?? 0) === 0) return NOOP_ALREADY_TERMINAL;
  return applied(async () => {
    await ctx.run(
      `UPDATE recovery_job SET status = 'abandoned', ready_at = NULL, claim_expires_at = NULL, closed_at = ?, updated_at = ?
       WHERE turn_id = ? AND status IN ('pending', 'claimed')`,
      [event.recordedAt, event.recordedAt, turnId],
    );
  });
}
