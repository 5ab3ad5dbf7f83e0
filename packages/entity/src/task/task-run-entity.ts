import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * One attempt of one firing. UNIQUE (`trigger_id`, `scheduled_for`, `attempt`): a due instant
 * fires once, whoever races for it. `queue_at` is `ready_at` while queued and NULL otherwise
 * (`idx_task_run_queue`: the claim query's index); `lease_expires_at` and `timeout_at` are
 * NULL once the run ended (the recovery and timeout scans' indexes).
 */
@Entity({ name: 'task_run' })
@Unique('uq_task_run_firing', ['triggerId', 'scheduledFor', 'attempt'])
@Index('idx_task_run_queue', ['queueAt', 'runId'])
@Index('idx_task_run_lease', ['leaseExpiresAt', 'runId'])
@Index('idx_task_run_timeout', ['timeoutAt', 'runId'])
@Index('idx_task_run_task', ['taskId', 'queuedAt', 'runId'])
@Index('idx_task_run_open', ['taskId', 'status'])
@Index('idx_task_run_status_completed', ['status', 'completedAt'])
export class TaskRunEntity {
  @PrimaryColumn({ name: 'run_id', type: 'text' })
  runId!: string;

  @Column({ name: 'task_id', type: 'text' })
  taskId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'trigger_id', type: 'text' })
  triggerId!: string;

  @Column({ name: 'scheduled_for', type: 'text' })
  scheduledFor!: string;

  @Column({ name: 'attempt', type: 'integer' })
  attempt!: number;

  /** `queued` `starting` `running` `succeeded` `failed` `cancelled` `timed_out`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'executor_kind', type: 'text' })
  executorKind!: string;

  @Column({ name: 'ready_at', type: 'text' })
  readyAt!: string;

  @Column({ name: 'queue_at', type: 'text', nullable: true })
  queueAt!: string | null;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'text', nullable: true })
  leaseExpiresAt!: string | null;

  @Column({ name: 'claim_count', type: 'integer' })
  claimCount!: number;

  @Column({ name: 'last_heartbeat_at', type: 'text', nullable: true })
  lastHeartbeatAt!: string | null;

  @Column({ name: 'timeout_at', type: 'text', nullable: true })
  timeoutAt!: string | null;

  @Column({ name: 'thread_id', type: 'text', nullable: true })
  threadId!: string | null;

  @Column({ name: 'turn_id', type: 'text', nullable: true })
  turnId!: string | null;

  /** JSON. */
  @Column({ name: 'result', type: 'text', nullable: true })
  result!: string | null;

  /** JSON TaskError. */
  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'queued_at', type: 'text' })
  queuedAt!: string;

  @Column({ name: 'claimed_at', type: 'text', nullable: true })
  claimedAt!: string | null;

  @Column({ name: 'started_at', type: 'text', nullable: true })
  startedAt!: string | null;

  @Column({ name: 'completed_at', type: 'text', nullable: true })
  completedAt!: string | null;

  @Column({ name: 'retried_by_run_id', type: 'text', nullable: true })
  retriedByRunId!: string | null;
}
