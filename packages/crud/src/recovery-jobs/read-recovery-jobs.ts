import { CairnError, RecoveryJobRefParams, TurnRecordRefParams, type RecoveryJob } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { RecoveryJobDeps } from './recovery-job-store.js';
import { RECOVERY_JOB_COLUMNS, findRecoveryJob, toRecoveryJob, type RecoveryJobRow } from './recovery-job-rows.js';
import { requireTurnInWorkspace } from '../turn-records/turn-ref.js';

/** One job; a job of another workspace is `not_found`, exactly like a missing one. */
export async function getRecoveryJob(deps: RecoveryJobDeps, params: RecoveryJobRefParams): Promise<RecoveryJob> {
  const p = parseParams(RecoveryJobRefParams, params, 'recoveryJobs.get');
  return deps.context.read(async (q) => {
    const row = await findRecoveryJob(q, p.job_id);
    if (!row || row.workspace_id !== p.workspace_id) {
      throw new CairnError('not_found', 'recovery job not found', { details: { workspace_id: p.workspace_id, job_id: p.job_id } });
    }
    return toRecoveryJob(row);
  });
}

/** Every recovery job of a turn, open and closed, in the order they opened. */
export async function listTurnRecoveryJobs(deps: RecoveryJobDeps, params: TurnRecordRefParams): Promise<RecoveryJob[]> {
  const p = parseParams(TurnRecordRefParams, params, 'recoveryJobs.listForTurn');
  return deps.context.read(async (q) => {
    await requireTurnInWorkspace(q, p.workspace_id, p.turn_id);
    const rows = await q.all<RecoveryJobRow>(`SELECT ${RECOVERY_JOB_COLUMNS} FROM recovery_job WHERE turn_id = ? ORDER BY opened_at, job_id`, [p.turn_id]);
    return rows.map(toRecoveryJob);
  });
}
