import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What an `agent` task's subagent gets: model, instructions, tools (JSON array), limits.
 */
@Entity({ name: 'task_agent_spec' })
export class TaskAgentSpecEntity {
  @PrimaryColumn({ name: 'task_id', type: 'text' })
  taskId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'model', type: 'text', nullable: true })
  model!: string | null;

  @Column({ name: 'instructions', type: 'text' })
  instructions!: string;

  /** JSON string[]. */
  @Column({ name: 'tools', type: 'text' })
  tools!: string;

  @Column({ name: 'max_turns', type: 'integer', nullable: true })
  maxTurns!: number | null;

  @Column({ name: 'max_tokens', type: 'integer', nullable: true })
  maxTokens!: number | null;
}
