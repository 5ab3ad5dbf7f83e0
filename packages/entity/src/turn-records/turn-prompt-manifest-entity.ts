import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ThreadEntity } from '../thread/thread-entity.js';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * Which prompt (id, version, hash), skills and tools a turn used: one row per turn, projected
 * from `turn.prompt_manifest.recorded`. `skills` and `tools` are JSON arrays. The prompt index
 * answers "which turns ran prompt X at version Y".
 */
@Entity({ name: 'turn_prompt_manifest' })
@Index('idx_turn_prompt_manifest_prompt', ['workspaceId', 'promptId', 'promptVersion'])
export class TurnPromptManifestEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  turnId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_turn_prompt_manifest_workspace' })
  workspaceId!: string;

  @Column({ name: 'thread_id', type: 'text' })
  @ForeignKey(() => ThreadEntity, { name: 'fk_turn_prompt_manifest_thread' })
  threadId!: string;

  @Column({ name: 'prompt_id', type: 'text' })
  promptId!: string;

  @Column({ name: 'prompt_version', type: 'text' })
  promptVersion!: string;

  @Column({ name: 'prompt_sha256', type: 'text' })
  promptSha256!: string;

  /** JSON array of `{skill_id, version}`. */
  @Column({ name: 'skills', type: 'text' })
  skills!: string;

  /** JSON array of `{name, origin, origin_id, schema_sha256}`. */
  @Column({ name: 'tools', type: 'text' })
  tools!: string;

  @Column({ name: 'manifest_sha256', type: 'text' })
  manifestSha256!: string;

  @Column({ name: 'recorded_at', type: 'text' })
  recordedAt!: string;

  @Column({ name: 'event_position', type: 'integer' })
  eventPosition!: number;
}
