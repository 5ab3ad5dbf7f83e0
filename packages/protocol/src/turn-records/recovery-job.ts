import { Type, type Static } from 'typebox';
import { Timestamp, TurnId, WorkspaceId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { ItemId, RecoveryId } from '../turn/turn-ids.js';
import { RecoveryJobId, WorkerId } from './turn-record-common.js';

const strict = { additionalProperties: false } as const;

/** What the model provider answered when a call failed: enough to decide whether and when to retry. */
export const ProviderFailure = Type.Object(
  {
    provider: Type.Union([Type.String({ minLength: 1, maxLength: LIMITS.turnRecords.providerLength }), Type.Null()]),
    model: Type.Union([Type.String({ minLength: 1, maxLength: LIMITS.turnRecords.modelLength }), Type.Null()]),
    http_status: Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Null()]),
    /** e.g. `rate_limited`, `overloaded`, `timeout`, `connection_reset`, `server_error`. */
    error_class: Type.Union([Type.String({ minLength: 1, maxLength: LIMITS.turnRecords.errorClassLength }), Type.Null()]),
    /** From the provider's Retry-After, in milliseconds. */
    retry_after_ms: Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()]),
    /** Redacted before it is stored. */
    message: Type.Union([Type.String({ maxLength: LIMITS.turnRecords.errorMessageLength }), Type.Null()]),
  },
  strict,
);
export type ProviderFailure = Static<typeof ProviderFailure>;

/**
 * `pending`: waits for `due_at`, then any worker may claim it. `claimed`: a worker holds it
 * until `claim_expires_at`; after that another worker may claim it. The rest are closed:
 * `completed` by its holder, `succeeded` / `exhausted` by the turn's `recovery.succeeded` /
 * `recovery.exhausted` event, `abandoned` because the turn ended while the job was open.
 */
export const RecoveryJobStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('claimed'),
  Type.Literal('completed'),
  Type.Literal('succeeded'),
  Type.Literal('exhausted'),
  Type.Literal('abandoned'),
]);
export type RecoveryJobStatus = Static<typeof RecoveryJobStatus>;

export const RecoveryJob = Type.Object({
  job_id: RecoveryJobId,
  workspace_id: WorkspaceId,
  turn_id: TurnId,
  /** The turn's recovery id; null for a job opened by a `retry.scheduled` that named none. */
  recovery_id: Type.Union([RecoveryId, Type.Null()]),
  /** The turn item whose call failed, when the recovery is about one. */
  item_id: Type.Union([ItemId, Type.Null()]),
  status: RecoveryJobStatus,
  /** The attempt the last `retry.scheduled` announced; 0 until one arrives. */
  attempt: Type.Integer({ minimum: 0 }),
  due_at: Timestamp,
  failure: ProviderFailure,
  claimed_by: Type.Union([WorkerId, Type.Null()]),
  claimed_at: Type.Union([Timestamp, Type.Null()]),
  claim_expires_at: Type.Union([Timestamp, Type.Null()]),
  /** How many times the job was claimed; a fencing token for the current claim. */
  claim_count: Type.Integer({ minimum: 0 }),
  /** Attempts its holders reported failed through `failRecoveryJob`. */
  failed_claims: Type.Integer({ minimum: 0 }),
  opened_at: Timestamp,
  closed_at: Type.Union([Timestamp, Type.Null()]),
  updated_at: Timestamp,
});
export type RecoveryJob = Static<typeof RecoveryJob>;

const Lease = Type.Integer({ minimum: 1, maximum: LIMITS.turnRecords.leaseMaxMs });

/** Takes the due job (earliest `due_at`) or an expired claim, atomically. `now` defaults to the clock. */
export const ClaimRecoveryJobParams = Type.Object(
  {
    worker_id: WorkerId,
    lease_ms: Lease,
    now: Type.Optional(Timestamp),
    /** Only jobs of this workspace. */
    workspace_id: Type.Optional(WorkspaceId),
  },
  strict,
);
export type ClaimRecoveryJobParams = Static<typeof ClaimRecoveryJobParams>;

const ClaimRef = { job_id: RecoveryJobId, worker_id: WorkerId, now: Type.Optional(Timestamp) };

/** Closes the job (`completed`). Only the current holder, before its lease expires. */
export const CompleteRecoveryJobParams = Type.Object({ ...ClaimRef }, strict);
export type CompleteRecoveryJobParams = Static<typeof CompleteRecoveryJobParams>;

/**
 * The holder's attempt failed: the job goes back to `pending`, due at `retry_at`, else after
 * the failure's `retry_after_ms`, else at once; the failure replaces the stored one.
 */
export const FailRecoveryJobParams = Type.Object(
  { ...ClaimRef, failure: ProviderFailure, retry_at: Type.Optional(Timestamp) },
  strict,
);
export type FailRecoveryJobParams = Static<typeof FailRecoveryJobParams>;

/** The holder gives the job back untouched (shutting down): `pending`, due at once. */
export const ReleaseRecoveryJobParams = Type.Object({ ...ClaimRef }, strict);
export type ReleaseRecoveryJobParams = Static<typeof ReleaseRecoveryJobParams>;

export const RecoveryJobRefParams = Type.Object({ workspace_id: WorkspaceId, job_id: RecoveryJobId }, strict);
export type RecoveryJobRefParams = Static<typeof RecoveryJobRefParams>;

export const ClaimRecoveryJobResult = Type.Object({ job: Type.Union([RecoveryJob, Type.Null()]) });
export type ClaimRecoveryJobResult = Static<typeof ClaimRecoveryJobResult>;
