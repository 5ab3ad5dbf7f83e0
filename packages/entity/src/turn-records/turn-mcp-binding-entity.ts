import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ThreadEntity } from '../thread/thread-entity.js';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * An MCP server a turn could call: the tools it exposed and the (redacted) policy snapshot in
 * force. One row per (turn, server), from `turn.mcp.bound`. `tool_names` and `policy` are JSON.
 */
@Entity({ name: 'turn_mcp_binding' })
@Index('idx_turn_mcp_binding_server', ['workspaceId', 'serverId'])
export class TurnMcpBindingEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  turnId!: string;

  @PrimaryColumn({ name: 'server_id', type: 'text' })
  serverId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_turn_mcp_binding_workspace' })
  workspaceId!: string;

  @Column({ name: 'thread_id', type: 'text' })
  @ForeignKey(() => ThreadEntity, { name: 'fk_turn_mcp_binding_thread' })
  threadId!: string;

  @Column({ name: 'server_version', type: 'text', nullable: true })
  serverVersion!: string | null;

  /** JSON array of tool names. */
  @Column({ name: 'tool_names', type: 'text' })
  toolNames!: string;

  /** JSON object, redacted. */
  @Column({ name: 'policy', type: 'text' })
  policy!: string;

  @Column({ name: 'binding_sha256', type: 'text' })
  bindingSha256!: string;

  @Column({ name: 'bound_at', type: 'text' })
  boundAt!: string;

  @Column({ name: 'event_position', type: 'integer' })
  eventPosition!: number;
}
