import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ThreadEntity } from '../thread/thread-entity.js';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/** A skill a turn ran with, at its version: one row per (turn, skill), from `turn.skill.bound`. */
@Entity({ name: 'turn_skill_binding' })
@Index('idx_turn_skill_binding_skill', ['workspaceId', 'skillId', 'version'])
export class TurnSkillBindingEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  turnId!: string;

  @PrimaryColumn({ name: 'skill_id', type: 'text' })
  skillId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_turn_skill_binding_workspace' })
  workspaceId!: string;

  @Column({ name: 'thread_id', type: 'text' })
  @ForeignKey(() => ThreadEntity, { name: 'fk_turn_skill_binding_thread' })
  threadId!: string;

  @Column({ name: 'version', type: 'text' })
  version!: string;

  @Column({ name: 'sha256', type: 'text', nullable: true })
  sha256!: string | null;

  @Column({ name: 'bound_at', type: 'text' })
  boundAt!: string;

  @Column({ name: 'event_position', type: 'integer' })
  eventPosition!: number;
}
