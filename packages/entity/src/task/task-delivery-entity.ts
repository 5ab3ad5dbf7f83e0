import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One run outcome on its way to one target. `ready_at` is when it may next be claimed:
 * `next_attempt_at` while pending, the lease's expiry while delivering, NULL once closed, so one
 * index range finds due deliveries and expired claims alike.
 */
@Entity({ name: 'task_delivery' })
@Index('idx_task_delivery_ready', ['readyAt', 'deliveryId'])
@Index('idx_task_delivery_task', ['taskId', 'createdAt', 'deliveryId'])
export class TaskDeliveryEntity {
  @PrimaryColumn({ name: 'delivery_id', type: 'text' })
  deliveryId!: string;

  @Column({ name: 'task_id', type: 'text' })
  taskId!: string;

  @Column({ name: 'run_id', type: 'text' })
  runId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'kind', type: 'text' })
  kind!: string;

  @Column({ name: 'thread_id', type: 'text', nullable: true })
  threadId!: string | null;

  @Column({ name: 'url', type: 'text', nullable: true })
  url!: string | null;

  /** A keystore ref, never a value. */
  @Column({ name: 'secret_ref', type: 'text', nullable: true })
  secretRef!: string | null;

  @Column({ name: 'deliver_on', type: 'text' })
  deliverOn!: string;

  /** `pending` `delivering` `delivered` `failed`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  /** JSON. */
  @Column({ name: 'payload', type: 'text' })
  payload!: string;

  @Column({ name: 'attempts', type: 'integer' })
  attempts!: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  @Column({ name: 'initial_backoff_ms', type: 'integer' })
  initialBackoffMs!: number;

  @Column({ name: 'max_backoff_ms', type: 'integer' })
  maxBackoffMs!: number;

  @Column({ name: 'next_attempt_at', type: 'text', nullable: true })
  nextAttemptAt!: string | null;

  @Column({ name: 'ready_at', type: 'text', nullable: true })
  readyAt!: string | null;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'text', nullable: true })
  leaseExpiresAt!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'delivered_at', type: 'text', nullable: true })
  deliveredAt!: string | null;
}
