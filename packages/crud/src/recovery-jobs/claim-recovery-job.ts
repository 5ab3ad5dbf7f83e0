import { ClaimRecoveryJobParams, type RecoveryJob } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { RecoveryJobDeps } from './recovery-job-store.js';
import { addMs, normalizeTimestamp } from '../turn-records/record-values.js';
import { findRecoveryJob, toRecoveryJob } from './recovery-job-rows.js';

const CANDIDATE = 'SELECT job_id FROM recovery_job WHERE ready_at IS NOT NULL AND ready_at <= ? ORDER BY ready_at, job_id LIMIT 1';
const CANDIDATE_IN_WORKSPACE =
  'SELECT job_id FROM recovery_job WHERE workspace_id = ? AND ready_at IS NOT NULL AND ready_at <= ? ORDER BY ready_at, job_id LIMIT 1';

/**
 * The claim itself: ONE conditional UPDATE that re-states what makes the job claimable
 * (open, and due or its lease expired). Two claimers can both pick the same candidate, but
 * only one UPDATE matches: the other sees `changes === 0` and moves on. Inside SQLite's
 * `BEGIN IMMEDIATE` the race cannot even start; the condition is what keeps it correct on a
 * database with concurrent writers (PostgreSQL), where the dialect's `claimLock` also makes
 * two claimers pick different candidates instead of queueing on one.
 */
const CLAIM = `UPDATE recovery_job
  SET status = 'claimed', claimed_by = ?, claimed_at = ?, claim_expires_at = ?, ready_at = ?, claim_count = claim_count + 1, updated_at = ?
  WHERE job_id = ? AND status IN ('pending', 'claimed') AND ready_at IS NOT NULL AND ready_at <= ?`;

const MAX_CANDIDATES = 8;

/**
 * Claims the most overdue job (due `pending`, or `claimed` with an expired lease) for
 * `worker_id` until `now + lease_ms`. Answers null when nothing is due.
 */
export async function claimRecoveryJob(deps: RecoveryJobDeps, params: ClaimRecoveryJobParams): Promise<RecoveryJob | null> {
  const p = parseParams(ClaimRecoveryJobParams, params, 'recoveryJobs.claim');
  const now = p.now === undefined ? deps.context.now() : normalizeTimestamp(p.now, 'now');
  const expires = addMs(now, p.lease_ms);
  return deps.context.write(async (ctx) => {
    const lock = ctx.dialect.claimLock;
    for (let i = 0; i < MAX_CANDIDATES; i++) {
      const candidate =
        p.workspace_id === undefined
          ? await ctx.get<{ job_id: string }>(CANDIDATE + lock, [now])
          : await ctx.get<{ job_id: string }>(CANDIDATE_IN_WORKSPACE + lock, [p.workspace_id, now]);
      if (!candidate) return null;
      const { changes } = await ctx.run(CLAIM, [p.worker_id, now, expires, expires, now, candidate.job_id, now]);
      if (changes === 1) return toRecoveryJob((await findRecoveryJob(ctx, candidate.job_id))!);
    }
    return null;
  });
}
