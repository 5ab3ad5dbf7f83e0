import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * A task (gateway migration 0009): what runs, its policies (JSON text), where it stands.
 * `root_task_id`/`parent_task_id`/`depth` place it in its tree: `idx_task_root` makes a whole
 * tree one index range, parents before children. Written only by the `TaskProjector`.
 */
@Entity({ name: 'task' })
@Index('idx_task_workspace_created', ['workspaceId', 'createdAt', 'taskId'])
@Index('idx_task_root', ['rootTaskId', 'depth', 'taskId'])
@Index('idx_task_parent', ['parentTaskId', 'createdAt', 'taskId'])
@Index('idx_task_status_completed', ['status', 'completedAt'])
export class TaskEntity {
  @PrimaryColumn({ name: 'task_id', type: 'text' })
  taskId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_task_workspace' })
  workspaceId!: string;

  @Column({ name: 'root_task_id', type: 'text' })
  rootTaskId!: string;

  @Column({ name: 'parent_task_id', type: 'text', nullable: true })
  parentTaskId!: string | null;

  /** 0 for a root task. */
  @Column({ name: 'depth', type: 'integer' })
  depth!: number;

  @Column({ name: 'title', type: 'text' })
  title!: string;

  /** `draft` `scheduled` `queued` `running` `waiting` `completed` `failed` `cancelled` `paused`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'paused_from', type: 'text', nullable: true })
  pausedFrom!: string | null;

  @Column({ name: 'executor_kind', type: 'text' })
  executorKind!: string;

  /** JSON. */
  @Column({ name: 'executor_config', type: 'text' })
  executorConfig!: string;

  /** JSON. */
  @Column({ name: 'input', type: 'text' })
  input!: string;

  @Column({ name: 'owner_thread_id', type: 'text', nullable: true })
  ownerThreadId!: string | null;

  /** JSON RetryPolicy. */
  @Column({ name: 'retry', type: 'text' })
  retry!: string;

  /** JSON TimeoutPolicy. */
  @Column({ name: 'timeouts', type: 'text' })
  timeouts!: string;

  /** JSON DeliverySpec[]. */
  @Column({ name: 'deliveries', type: 'text' })
  deliveries!: string;

  /** JSON. */
  @Column({ name: 'delivery_policy', type: 'text' })
  deliveryPolicy!: string;

  /** JSON LockSpec. */
  @Column({ name: 'lock_spec', type: 'text', nullable: true })
  lockSpec!: string | null;

  @Column({ name: 'run_count', type: 'integer' })
  runCount!: number;

  @Column({ name: 'last_run_id', type: 'text', nullable: true })
  lastRunId!: string | null;

  /** JSON. */
  @Column({ name: 'result', type: 'text', nullable: true })
  result!: string | null;

  /** JSON TaskError. */
  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;

  @Column({ name: 'completed_at', type: 'text', nullable: true })
  completedAt!: string | null;

  @Column({ name: 'last_seq', type: 'integer' })
  lastSeq!: number;
}
