import type { ClaimRecoveryJobParams, RecoveryJob, RecoveryJobRefParams, TurnRecordRefParams } from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import { claimRecoveryJob } from './claim-recovery-job.js';
import { getRecoveryJob, listTurnRecoveryJobs } from './read-recovery-jobs.js';
import { rearmExpiredRecoveryClaims, type RearmClaimsReport } from './rearm-recovery-claims.js';
import {
  completeRecoveryJob,
  failRecoveryJob,
  releaseRecoveryJob,
  type CompleteRecoveryJobInput,
  type FailRecoveryJobInput,
  type ReleaseRecoveryJobInput,
} from './settle-recovery-job.js';

/** What the work-queue operations need: the store context, and the journal's redactor for failure messages. */
export interface RecoveryJobDeps {
  context: StoreContext;
  redact: (value: unknown) => unknown;
}

/**
 * `store.recoveryJobs`: the recovery work queue. Jobs are opened, re-armed and closed by the
 * turn's own recovery events (`RecoveryJobProjector`, on the turn stream); claiming and
 * settling them is worker state, plain rows through the store's writes, never journaled.
 */
export class RecoveryJobStore {
  readonly #deps: RecoveryJobDeps;

  constructor(deps: RecoveryJobDeps) {
    this.#deps = deps;
  }

  /** The most overdue job, for `worker_id` until `now + lease_ms`; null when nothing is due. */
  claim(params: ClaimRecoveryJobParams): Promise<RecoveryJob | null> {
    return claimRecoveryJob(this.#deps, params);
  }

  /** Settles need the holder's claim; with `workspace_id`, another workspace's job is `not_found`. */
  complete(params: CompleteRecoveryJobInput): Promise<RecoveryJob> {
    return completeRecoveryJob(this.#deps, params);
  }

  fail(params: FailRecoveryJobInput): Promise<RecoveryJob> {
    return failRecoveryJob(this.#deps, params);
  }

  release(params: ReleaseRecoveryJobInput): Promise<RecoveryJob> {
    return releaseRecoveryJob(this.#deps, params);
  }

  get(params: RecoveryJobRefParams): Promise<RecoveryJob> {
    return getRecoveryJob(this.#deps, params);
  }

  /** Every job of a turn, open and closed, in the order they opened. */
  listForTurn(params: TurnRecordRefParams): Promise<RecoveryJob[]> {
    return listTurnRecoveryJobs(this.#deps, params);
  }

  /** Startup repair: expired claims back to `pending`. */
  rearmExpiredClaims(options?: { now?: string; batch?: number }): Promise<RearmClaimsReport> {
    return rearmExpiredRecoveryClaims(this.#deps, options);
  }
}
