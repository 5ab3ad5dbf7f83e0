import { Column, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';
import { ArtifactEntity } from './artifact-entity.js';

/**
 * Ties an artifact (or one pinned version) to a scope (gateway migration 0009): what listing
 * by thread, turn and message reads, by index. `bindingKey` is the canonical identity of the
 * binding, UNIQUE per artifact, so binding the same thing twice is one row.
 */
@Entity({ name: 'artifact_binding' })
@Unique('uq_artifact_binding_key', ['artifactId', 'bindingKey'])
@Index('idx_artifact_binding_thread', ['workspaceId', 'threadId', 'createdAt', 'bindingId'])
@Index('idx_artifact_binding_turn', ['workspaceId', 'turnId', 'createdAt', 'bindingId'])
@Index('idx_artifact_binding_message', ['workspaceId', 'messageId', 'createdAt', 'bindingId'])
export class ArtifactBindingEntity {
  @PrimaryColumn({ name: 'binding_id', type: 'text' })
  bindingId!: string;

  @Column({ name: 'artifact_id', type: 'text' })
  @ForeignKey(() => ArtifactEntity, { name: 'fk_artifact_binding_artifact' })
  artifactId!: string;

  /** null: follows the artifact's current version. */
  @Column({ name: 'version_id', type: 'text', nullable: true })
  versionId!: string | null;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'binding_kind', type: 'text' })
  bindingKind!: string;

  @Column({ name: 'direction', type: 'text' })
  direction!: string;

  /** The narrowest scope the binding names. */
  @Column({ name: 'scope', type: 'text' })
  scope!: string;

  @Column({ name: 'binding_key', type: 'text' })
  bindingKey!: string;

  @Column({ name: 'thread_id', type: 'text', nullable: true })
  threadId!: string | null;

  @Column({ name: 'turn_id', type: 'text', nullable: true })
  turnId!: string | null;

  @Column({ name: 'message_id', type: 'text', nullable: true })
  messageId!: string | null;

  @Column({ name: 'item_id', type: 'text', nullable: true })
  itemId!: string | null;

  @Column({ name: 'tool_call_id', type: 'text', nullable: true })
  toolCallId!: string | null;

  @Column({ name: 'task_id', type: 'text', nullable: true })
  taskId!: string | null;

  @Column({ name: 'task_run_id', type: 'text', nullable: true })
  taskRunId!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;
}
