import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One trigger of a task. `next_fire_at` is NULL unless the trigger is active and has a
 * due instant, so `idx_task_trigger_due` holds exactly the armed triggers in due order: the
 * scheduler's due query is one index range `next_fire_at <= now`.
 */
@Entity({ name: 'task_trigger' })
@Index('idx_task_trigger_due', ['nextFireAt', 'triggerId'])
@Index('idx_task_trigger_task', ['taskId', 'ordinal'])
export class TaskTriggerEntity {
  @PrimaryColumn({ name: 'trigger_id', type: 'text' })
  triggerId!: string;

  @Column({ name: 'task_id', type: 'text' })
  taskId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  /** Position in the task's trigger list. */
  @Column({ name: 'ordinal', type: 'integer' })
  ordinal!: number;

  @Column({ name: 'kind', type: 'text' })
  kind!: string;

  /** JSON TriggerSpec. */
  @Column({ name: 'spec', type: 'text' })
  spec!: string;

  /** `active` `paused` `done` `cancelled`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'next_fire_at', type: 'text', nullable: true })
  nextFireAt!: string | null;

  @Column({ name: 'last_fired_at', type: 'text', nullable: true })
  lastFiredAt!: string | null;

  @Column({ name: 'fire_count', type: 'integer' })
  fireCount!: number;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;
}
