import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TurnItemEntity } from './turn-item-entity.js';

/** One attempt at an item (1, then one per retry). The status index finds running attempts for repair. */
@Entity({ name: 'turn_item_attempt' })
@Index('idx_turn_item_attempt_status', ['status'])
@ForeignKey(() => TurnItemEntity, ['turnId', 'itemId'], ['turnId', 'itemId'], { name: 'fk_turn_item_attempt_item' })
export class TurnItemAttemptEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  turnId!: string;

  @PrimaryColumn({ name: 'item_id', type: 'text' })
  itemId!: string;

  @PrimaryColumn({ name: 'attempt', type: 'integer' })
  attempt!: number;

  /** `running` | `completed` | `failed` | `cancelled` | `timed_out`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'started_at', type: 'text' })
  startedAt!: string;

  @Column({ name: 'ended_at', type: 'text', nullable: true })
  endedAt!: string | null;

  @Column({ name: 'reason', type: 'text', nullable: true })
  reason!: string | null;
}
