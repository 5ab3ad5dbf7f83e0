import { TURN_RECORD_LIMITS } from '@cairn/protocol';
import type { RecoveryJobDeps } from './recovery-job-store.js';
import { normalizeTimestamp } from '../turn-records/record-values.js';

export interface RearmClaimsReport {
  detected: number;
  repaired: number;
  remaining: number;
}

const EXPIRED = `SELECT job_id FROM recovery_job WHERE status = 'claimed' AND claim_expires_at <= ? ORDER BY claim_expires_at, job_id LIMIT ?`;
const COUNT_EXPIRED = `SELECT count(*) AS n FROM recovery_job WHERE status = 'claimed' AND claim_expires_at <= ?`;

/**
 * Startup repair: claims whose lease ran out (their worker died with the gateway) go back to
 * `pending`, claimable from their due time. A worker could take them anyway (an expired
 * claim is claimable); re-arming makes the state say so and reports what it found.
 */
export async function rearmExpiredRecoveryClaims(deps: RecoveryJobDeps, options: { now?: string; batch?: number } = {}): Promise<RearmClaimsReport> {
  const now = options.now === undefined ? deps.context.now() : normalizeTimestamp(options.now, 'now');
  const batch = options.batch ?? TURN_RECORD_LIMITS.pruneBatchMax;
  return deps.context.write(async (ctx) => {
    const detected = (await ctx.get<{ n: number }>(COUNT_EXPIRED, [now]))?.n ?? 0;
    let repaired = 0;
    for (const { job_id } of await ctx.all<{ job_id: string }>(EXPIRED, [now, batch])) {
      const { changes } = await ctx.run(
        `UPDATE recovery_job SET status = 'pending', ready_at = due_at, claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, updated_at = ?
         WHERE job_id = ? AND status = 'claimed' AND claim_expires_at <= ?`,
        [now, job_id, now],
      );
      repaired += changes;
    }
    return { detected, repaired, remaining: detected - repaired };
  });
}
