import {
  CairnError,
  CompleteRecoveryJobParams,
  FailRecoveryJobParams,
  ReleaseRecoveryJobParams,
  WorkspaceId,
  type RecoveryJob,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { WriteContext } from '../store/store-context.js';
import type { RecoveryJobDeps } from './recovery-job-store.js';
import { addMs, normalizeTimestamp } from '../turn-records/record-values.js';
import { FAILURE_SET, failureColumns, findRecoveryJob, toRecoveryJob, type RecoveryJobRow } from './recovery-job-rows.js';

type Settle = 'complete' | 'fail' | 'release';

/**
 * A settle's params, optionally scoped to the caller's workspace (the wire form names it: a
 * token scoped to workspaces may settle only their jobs). With `workspace_id`, a job of another
 * workspace is `not_found` exactly like an unknown id, and nothing changes.
 */
export type CompleteRecoveryJobInput = CompleteRecoveryJobParams & { workspace_id?: string };
export type FailRecoveryJobInput = FailRecoveryJobParams & { workspace_id?: string };
export type ReleaseRecoveryJobInput = ReleaseRecoveryJobParams & { workspace_id?: string };

/** Checks the protocol params and, apart (the protocol's settle params are closed), the optional scope. */
function parseSettle<P>(schema: Parameters<typeof parseParams>[0], params: P & { workspace_id?: string }, operation: string): { p: P; scope: string | undefined } {
  const { workspace_id: scope, ...rest } = (params ?? {}) as P & { workspace_id?: string };
  const p = parseParams(schema, rest, operation) as P;
  if (scope !== undefined) parseParams(WorkspaceId, scope, operation);
  return { p, scope };
}

function notFound(jobId: string, scope: string | undefined): CairnError {
  return new CairnError('not_found', 'recovery job not found', { details: scope === undefined ? { job_id: jobId } : { workspace_id: scope, job_id: jobId } });
}

/**
 * Finds the job and proves the caller holds it: claimed by `worker_id`, lease not expired.
 * Anyone else (another worker, a holder whose lease ran out) gets `conflict`. A job already
 * closed while this worker held it answers `closed` so `complete`/`release` can be idempotent.
 */
async function holderCheck(ctx: WriteContext, jobId: string, workerId: string, now: string, op: Settle, scope: string | undefined): Promise<{ row: RecoveryJobRow; closed: boolean }> {
  const row = await findRecoveryJob(ctx, jobId);
  if (!row || (scope !== undefined && row.workspace_id !== scope)) throw notFound(jobId, scope);
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
  scope: string | undefined,
  op: Settle,
  write: (ctx: WriteContext, row: RecoveryJobRow, now: string) => Promise<unknown>,
): Promise<RecoveryJob> {
  const now = p.now === undefined ? deps.context.now() : normalizeTimestamp(p.now, 'now');
  return deps.context.write(async (ctx) => {
    // The job's workspace (it never changes) is locked before the check: the turn's own
    // events close jobs under that lock, and the settle must see them. The UPDATE stays
    // conditional on the claim it checked, for claims and re-arms, which take no workspace lock.
    // A job of another workspace than the caller's scope is answered as unknown before anything is locked or changed.
    const owner = await ctx.get<{ workspace_id: string }>('SELECT workspace_id FROM recovery_job WHERE job_id = ?', [p.job_id]);
    if (!owner || (scope !== undefined && owner.workspace_id !== scope)) throw notFound(p.job_id, scope);
    await ctx.dialect.lockWorkspace(ctx, owner.workspace_id);
    const { row, closed } = await holderCheck(ctx, p.job_id, p.worker_id, now, op, scope);
    if (!closed) await write(ctx, row, now);
    return toRecoveryJob((await findRecoveryJob(ctx, p.job_id))!);
  });
}

/** The holder closes the job (`completed`). Done again by the same worker, or after the turn closed it: answers the job as is. */
export async function completeRecoveryJob(deps: RecoveryJobDeps, params: CompleteRecoveryJobInput): Promise<RecoveryJob> {
  const { p, scope } = parseSettle<CompleteRecoveryJobParams>(CompleteRecoveryJobParams, params, 'recoveryJobs.complete');
  return settle(deps, p, scope, 'complete', (ctx, row, now) =>
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
export async function failRecoveryJob(deps: RecoveryJobDeps, params: FailRecoveryJobInput): Promise<RecoveryJob> {
  const { p, scope } = parseSettle<FailRecoveryJobParams>(FailRecoveryJobParams, params, 'recoveryJobs.fail');
  const failure = deps.redact(p.failure) as typeof p.failure;
  return settle(deps, p, scope, 'fail', async (ctx, row, now) => {
    const due = p.retry_at !== undefined ? normalizeTimestamp(p.retry_at, 'retry_at') : addMs(now, failure.retry_after_ms ?? 0);
    await ctx.run(
      `UPDATE recovery_job SET status = 'pending', due_at = ?, ready_at = ?, claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL,
         failed_claims = failed_claims + 1, ${FAILURE_SET}, updated_at = ? WHERE ${HELD}`,
      [due, due, ...failureColumns(failure), now, row.job_id, p.worker_id, row.claim_count],
    );
  });
}

/** The holder hands the job back untouched: `pending`, claimable again at its due time. */
export async function releaseRecoveryJob(deps: RecoveryJobDeps, params: ReleaseRecoveryJobInput): Promise<RecoveryJob> {
  const { p, scope } = parseSettle<ReleaseRecoveryJobParams>(ReleaseRecoveryJobParams, params, 'recoveryJobs.release');
  return settle(deps, p, scope, 'release', (ctx, row, now) =>
    ctx.run(
      `UPDATE recovery_job SET status = 'pending', ready_at = due_at, claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, updated_at = ?
       WHERE ${HELD}`,
      [now, row.job_id, p.worker_id, row.claim_count],
    ),
  );
}
