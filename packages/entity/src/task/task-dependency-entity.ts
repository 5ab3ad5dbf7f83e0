import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `task_id` waits on `depends_on_task_id` (one row per upstream task of a dependency trigger);
 * `idx_task_dependency_upstream` finds a finished task's dependents.
 */
@Entity({ name: 'task_dependency' })
@Index('idx_task_dependency_upstream', ['dependsOnTaskId', 'taskId'])
export class TaskDependencyEntity {
  @PrimaryColumn({ name: 'task_id', type: 'text' })
  taskId!: string;

  @PrimaryColumn({ name: 'depends_on_task_id', type: 'text' })
  dependsOnTaskId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'trigger_id', type: 'text' })
  triggerId!: string;

  @Column({ name: 'condition', type: 'text' })
  condition!: string;

  @Column({ name: 'on_unmet', type: 'text' })
  onUnmet!: string;
}
