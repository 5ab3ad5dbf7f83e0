import {
  CairnError,
  CompleteRecoveryJobParams,
  FailRecoveryJobParams,
  ReleaseRecoveryJobParams,
  type RecoveryJob,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { WriteContext } from '../store/store-context.js';
import type { RecoveryJobDeps } from './recovery-job-store.js';
import { addMs, normalizeTimestamp } from '../turn-records/record-values.js';
import { FAILURE_SET, failureColumns, findRecoveryJob, toRecoveryJob, type RecoveryJobRow } from './recovery-job-rows.js';

type Settle = 'complete' | 'fail' | 'release';

/**
 * Finds the job and proves the caller holds it: claimed by `worker_id`, lease not expired.
 * Anyone else (another worker, a holder whose lease ran out) gets `conflict`. A job already
 * closed while this worker held it answers `closed` so `complete`/`release` can be idempotent.
 */
async function holderCheck(ctx: WriteContext, jobId: string, workerId: string, now: string, op: Settle): Promise<{ row: RecoveryJobRow; closed: boolean }> {
  const row = await findRecoveryJob(ctx, jobId);
  if (!row) throw new CairnError('not_found', 'recovery job not found', { details: { job_id: jobId } });
  if (row.status === 'claimed' && row.claimed_by === workerId) {
    if (row.claim_expires_at !== null && row.claim_expires_at > now) return { row, closed: false };
    throw new CairnError('conflict', 'the claim on this recovery job has expired', { details: { job_id: jobId, op, reason: 'claim_expired' } });
  }
  const closed = row.status !== 'pending' && row.status !== 'claimed';
  if (closed && row.claimed_by === workerId && op !== 'fail') return { row, closed: true };
  throw new CairnError('conflict', 'this worker does not hold the recovery job', { details: { job_id: jobId, op, status: row.status, reason: 'not_holder' } });
}

/** Every settle is conditional on the claim it checked (holder and claim count): a write never lands on someone else's claim. */
const HELD = `job_id = ? AND status = 'claimed' AND claimed_by = ? AND claim_count = ?`;

function settle<P extends { job_id: string; worker_id: string; now?: string }>(
  deps: RecoveryJobDeps,
  p: P,
  op: Settle,
  write: (ctx: WriteContext, row: RecoveryJobRow, now: string) => Promise<unknown>,
): Promise<RecoveryJob> {
  const now = p.now === undefined ? deps.context.now() : normalizeTimestamp(p.now, 'now');
  return deps.context.write(async (ctx) => {
    // The job's workspace (it never changes) is locked before the check: the turn's own
    // events close jobs under that lock, and the settle must see them. The UPDATE stays
    // conditional on the claim it checked, for claims and re-arms, which take no workspace lock.
    const owner = await ctx.get<{ workspace_id: string }>('SELECT workspace_id FROM recovery_job WHERE job_id = ?', [p.job_id]);
    if (owner) await ctx.dialect.lockWorkspace(ctx, owner.workspace_id);
    const { row, closed } = await holderCheck(ctx, p.job_id, p.worker_id, now, op);
    if (!closed) await write(ctx, row, now);
    return toRecoveryJob((await findRecoveryJob(ctx, p.job_id))!);
  });
}

/** The holder closes the job (`completed`). Done again by the same worker, or after the turn closed it: answers the job as is. */
export async function completeRecoveryJob(deps: RecoveryJobDeps, params: CompleteRecoveryJobParams): Promise<RecoveryJob> {
  const p = parseParams(CompleteRecoveryJobParams, params, 'recoveryJobs.complete');
  return settle(deps, p, 'complete', (ctx, row, now) =>
    ctx.run(`UPDATE recovery_job SET status = 'completed', ready_at = NULL, claim_expires_at = NULL, closed_at = ?, updated_at = ? WHERE ${HELD}`, [
      now,
      now,
      row.job_id,
      p.worker_id,
      row.claim_count,
    ]),
  );
}

/**
 * The holder's attempt failed: the job is `pending` again, due at `retry_at`, else after the
 * failure's `retry_after_ms`, else now; the (redacted) failure replaces the stored one.
 */
export async function failRecoveryJob(deps: RecoveryJobDeps, params: FailRecoveryJobParams): Promise<RecoveryJob> {
  const p = parseParams(FailRecoveryJobParams, params, 'recoveryJobs.fail');
  const failure = deps.redact(p.failure) as typeof p.failure;
  return settle(deps, p, 'fail', async (ctx, row, now) => {
    const due = p.retry_at !== undefined ? normalizeTimestamp(p.retry_at, 'retry_at') : addMs(now, failure.retry_after_ms ?? 0);
    await ctx.run(
      `UPDATE recovery_job SET status = 'pending', due_at = ?, ready_at = ?, claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL,
         failed_claims = failed_claims + 1, ${FAILURE_SET}, updated_at = ? WHERE ${HELD}`,
      [due, due, ...failureColumns(failure), now, row.job_id, p.worker_id, row.claim_count],
    );
  });
}

/** The holder hands the job back untouched: `pending`, claimable again at its due time. */
export async function releaseRecoveryJob(deps: RecoveryJobDeps, params: ReleaseRecoveryJobParams): Promise<RecoveryJob> {
  const p = parseParams(ReleaseRecoveryJobParams, params, 'recoveryJobs.release');
  return settle(deps, p, 'release', (ctx, row, now) =>
    ctx.run(
      `UPDATE recovery_job SET status = 'pending', ready_at = due_at, claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, updated_at = ?
       WHERE ${HELD}`,
      [now, row.job_id, p.worker_id, row.claim_count],
    ),
  );
}
