import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * A write lock held or queued for by a run (`path` `''` for the workspace scope). Conflicts
 * are decided under the workspace's write lock; `idx_task_write_lock_expires` finds the
 * expired holds.
 */
@Entity({ name: 'task_write_lock' })
@Unique('uq_task_write_lock_holder', ['holderRunId', 'scope', 'path'])
@Index('idx_task_write_lock_workspace', ['workspaceId', 'status', 'path'])
@Index('idx_task_write_lock_expires', ['expiresAt', 'lockId'])
export class TaskWriteLockEntity {
  @PrimaryColumn({ name: 'lock_id', type: 'text' })
  lockId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'scope', type: 'text' })
  scope!: string;

  @Column({ name: 'path', type: 'text' })
  path!: string;

  @Column({ name: 'holder_run_id', type: 'text' })
  holderRunId!: string;

  @Column({ name: 'task_id', type: 'text' })
  taskId!: string;

  /** `held` `queued`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'acquired_at', type: 'text', nullable: true })
  acquiredAt!: string | null;

  @Column({ name: 'expires_at', type: 'text', nullable: true })
  expiresAt!: string | null;

  @Column({ name: 'ttl_ms', type: 'integer' })
  ttlMs!: number;

  @Column({ name: 'queued_at', type: 'text' })
  queuedAt!: string;
}
