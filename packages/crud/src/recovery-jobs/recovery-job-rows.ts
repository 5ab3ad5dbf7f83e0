import { createHash } from 'node:crypto';
import type { ProviderFailure, RecoveryJob, RecoveryJobStatus } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../store/store-context.js';

export interface RecoveryJobRow {
  job_id: string;
  workspace_id: string;
  turn_id: string;
  recovery_id: string | null;
  item_id: string | null;
  status: string;
  attempt: number;
  due_at: string;
  ready_at: string | null;
  provider: string | null;
  model: string | null;
  http_status: number | null;
  error_class: string | null;
  retry_after_ms: number | null;
  error_message: string | null;
  claimed_by: string | null;
  claimed_at: string | null;
  claim_expires_at: string | null;
  claim_count: number;
  failed_claims: number;
  opened_at: string;
  closed_at: string | null;
  updated_at: string;
}

export const OPEN_JOB_STATUSES = ['pending', 'claimed'] as const;

export const RECOVERY_JOB_COLUMNS =
  'job_id, workspace_id, turn_id, recovery_id, item_id, status, attempt, due_at, ready_at, provider, model, http_status, ' +
  'error_class, retry_after_ms, error_message, claimed_by, claimed_at, claim_expires_at, claim_count, failed_claims, ' +
  'opened_at, closed_at, updated_at';

/**
 * Job ids are derived, not generated, so that rebuilding the table from the journal gives
 * every job the id it had: 128 bits of SHA-256 over (workspace, turn, recovery id or item id).
 */
export function recoveryJobId(workspaceId: string, turnId: string, key: { recoveryId: string } | { itemId: string }): string {
  const tail = 'recoveryId' in key ? `recovery\n${key.recoveryId}` : `item\n${key.itemId}`;
  return `rj_${createHash('sha256').update(`${workspaceId}\n${turnId}\n${tail}`, 'utf8').digest('hex').slice(0, 32)}`;
}

export function findRecoveryJob(q: ReadContext, jobId: string): Promise<RecoveryJobRow | undefined> {
  return q.get<RecoveryJobRow>(`SELECT ${RECOVERY_JOB_COLUMNS} FROM recovery_job WHERE job_id = ?`, [jobId]);
}

/** The open job of a turn item, for a `retry.scheduled` that names no recovery id. */
export function findOpenJobForItem(q: ReadContext, turnId: string, itemId: string): Promise<RecoveryJobRow | undefined> {
  return q.get<RecoveryJobRow>(
    `SELECT ${RECOVERY_JOB_COLUMNS} FROM recovery_job WHERE turn_id = ? AND item_id = ? AND status IN ('pending', 'claimed') ORDER BY opened_at, job_id LIMIT 1`,
    [turnId, itemId],
  );
}

export async function insertRecoveryJob(ctx: WriteContext, row: RecoveryJobRow): Promise<void> {
  await ctx.run(`INSERT INTO recovery_job (${RECOVERY_JOB_COLUMNS}) VALUES (${RECOVERY_JOB_COLUMNS.split(',').map(() => '?').join(', ')})`, [
    row.job_id,
    row.workspace_id,
    row.turn_id,
    row.recovery_id,
    row.item_id,
    row.status,
    row.attempt,
    row.due_at,
    row.ready_at,
    row.provider,
    row.model,
    row.http_status,
    row.error_class,
    row.retry_after_ms,
    row.error_message,
    row.claimed_by,
    row.claimed_at,
    row.claim_expires_at,
    row.claim_count,
    row.failed_claims,
    row.opened_at,
    row.closed_at,
    row.updated_at,
  ]);
}

export function failureColumns(failure: ProviderFailure): unknown[] {
  return [failure.provider, failure.model, failure.http_status, failure.error_class, failure.retry_after_ms, failure.message];
}

export const FAILURE_SET = 'provider = ?, model = ?, http_status = ?, error_class = ?, retry_after_ms = ?, error_message = ?';

export function toRecoveryJob(row: RecoveryJobRow): RecoveryJob {
  return {
    job_id: row.job_id,
    workspace_id: row.workspace_id,
    turn_id: row.turn_id,
    recovery_id: row.recovery_id,
    item_id: row.item_id,
    status: row.status as RecoveryJobStatus,
    attempt: row.attempt,
    due_at: row.due_at,
    failure: {
      provider: row.provider,
      model: row.model,
      http_status: row.http_status,
      error_class: row.error_class,
      retry_after_ms: row.retry_after_ms,
      message: row.error_message,
    },
    claimed_by: row.claimed_by,
    claimed_at: row.claimed_at,
    claim_expires_at: row.claim_expires_at,
    claim_count: row.claim_count,
    failed_claims: row.failed_claims,
    opened_at: row.opened_at,
    closed_at: row.closed_at,
    updated_at: row.updated_at,
  };
}
