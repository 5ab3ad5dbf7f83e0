import { Column, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';
import { TurnEntity } from './turn-entity.js';

/**
 * An item of a turn (message, reasoning, tool call, command, ...). The id is unique within
 * its turn. UNIQUE (turn_id, ordinal) serves item pages in start order; the status index
 * lets startup repair find the few open items without scanning the finished ones.
 */
@Entity({ name: 'turn_item' })
@Unique('uq_turn_item_ordinal', ['turnId', 'ordinal'])
@Index('idx_turn_item_status', ['status', 'timedOutAt'])
export class TurnItemEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  @ForeignKey(() => TurnEntity, { name: 'fk_turn_item_turn' })
  turnId!: string;

  @PrimaryColumn({ name: 'item_id', type: 'text' })
  itemId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'thread_id', type: 'text' })
  threadId!: string;

  @Column({ name: 'ordinal', type: 'integer' })
  ordinal!: number;

  @Column({ name: 'item_type', type: 'text' })
  itemType!: string;

  /** `in_progress` | `completed` | `failed` | `cancelled`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'attempt', type: 'integer' })
  attempt!: number;

  @Column({ name: 'text', type: 'text', nullable: true })
  text!: string | null;

  @Column({ name: 'payload', type: 'text', nullable: true })
  payload!: string | null;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'reason', type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'timeout_ms', type: 'integer', nullable: true })
  timeoutMs!: number | null;

  @Column({ name: 'started_at', type: 'text' })
  startedAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;

  @Column({ name: 'completed_at', type: 'text', nullable: true })
  completedAt!: string | null;

  @Column({ name: 'timed_out_at', type: 'text', nullable: true })
  timedOutAt!: string | null;

  @Column({ name: 'retry_due_at', type: 'text', nullable: true })
  retryDueAt!: string | null;

  /**
   * The sealed tail of streamed text held back because it may begin a secret (opaque to
   * crud; sealed by the gateway's keystore). NULL when nothing is held.
   */
  @Column({ name: 'held_sealed', type: 'text', nullable: true })
  heldSealed!: string | null;
}
