import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ThreadEntity } from '../thread/thread-entity.js';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * The latest retained LLM context of a turn (messages and tool state to resume it after a
 * crash), stored once here: the `turn.llm_context.retained` event carries only its revision,
 * SHA-256 and size. `content` is redacted canonical JSON. `turn_terminal_at` is stamped when
 * the turn ends; the prune pass walks `idx_turn_llm_context_terminal` from the oldest.
 */
@Entity({ name: 'turn_llm_context' })
@Index('idx_turn_llm_context_terminal', ['turnTerminalAt'])
export class TurnLlmContextEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  turnId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_turn_llm_context_workspace' })
  workspaceId!: string;

  @Column({ name: 'thread_id', type: 'text' })
  @ForeignKey(() => ThreadEntity, { name: 'fk_turn_llm_context_thread' })
  threadId!: string;

  @Column({ name: 'revision', type: 'integer' })
  revision!: number;

  @Column({ name: 'content', type: 'text' })
  content!: string;

  @Column({ name: 'sha256', type: 'text' })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ name: 'message_count', type: 'integer' })
  messageCount!: number;

  @Column({ name: 'retained_at', type: 'text' })
  retainedAt!: string;

  @Column({ name: 'turn_terminal_at', type: 'text', nullable: true })
  turnTerminalAt!: string | null;

  @Column({ name: 'event_position', type: 'integer' })
  eventPosition!: number;
}
