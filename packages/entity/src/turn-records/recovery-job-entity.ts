import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * A recovery job: opened by a turn's `recovery.opened` / `retry.scheduled`, claimed by one
 * worker at a time under a lease, closed by `recovery.succeeded` / `recovery.exhausted` (or
 * its holder, or the turn ending). `ready_at` is when the job may next be claimed: `due_at`
 * while pending, `claim_expires_at` while claimed, NULL once closed, so one index range scan
 * finds both due jobs and expired claims. The provider failure is spread over columns.
 */
@Entity({ name: 'recovery_job' })
@Index('idx_recovery_job_ready', ['readyAt', 'jobId'])
@Index('idx_recovery_job_workspace_ready', ['workspaceId', 'readyAt', 'jobId'])
@Index('idx_recovery_job_turn', ['turnId', 'itemId'])
export class RecoveryJobEntity {
  @PrimaryColumn({ name: 'job_id', type: 'text' })
  jobId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_recovery_job_workspace' })
  workspaceId!: string;

  @Column({ name: 'turn_id', type: 'text' })
  turnId!: string;

  @Column({ name: 'recovery_id', type: 'text', nullable: true })
  recoveryId!: string | null;

  @Column({ name: 'item_id', type: 'text', nullable: true })
  itemId!: string | null;

  /** `pending` | `claimed` | `completed` | `succeeded` | `exhausted` | `abandoned`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'attempt', type: 'integer' })
  attempt!: number;

  @Column({ name: 'due_at', type: 'text' })
  dueAt!: string;

  @Column({ name: 'ready_at', type: 'text', nullable: true })
  readyAt!: string | null;

  @Column({ name: 'provider', type: 'text', nullable: true })
  provider!: string | null;

  @Column({ name: 'model', type: 'text', nullable: true })
  model!: string | null;

  @Column({ name: 'http_status', type: 'integer', nullable: true })
  httpStatus!: number | null;

  @Column({ name: 'error_class', type: 'text', nullable: true })
  errorClass!: string | null;

  @Column({ name: 'retry_after_ms', type: 'integer', nullable: true })
  retryAfterMs!: number | null;

  /** Redacted. */
  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'claimed_by', type: 'text', nullable: true })
  claimedBy!: string | null;

  @Column({ name: 'claimed_at', type: 'text', nullable: true })
  claimedAt!: string | null;

  @Column({ name: 'claim_expires_at', type: 'text', nullable: true })
  claimExpiresAt!: string | null;

  @Column({ name: 'claim_count', type: 'integer' })
  claimCount!: number;

  @Column({ name: 'failed_claims', type: 'integer' })
  failedClaims!: number;

  @Column({ name: 'opened_at', type: 'text' })
  openedAt!: string;

  @Column({ name: 'closed_at', type: 'text', nullable: true })
  closedAt!: string | null;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;
}
