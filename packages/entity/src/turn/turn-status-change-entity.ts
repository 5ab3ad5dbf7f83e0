import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TurnEntity } from './turn-entity.js';

/** A turn's status history: one row per change, keyed by the stream sequence of the event that made it. */
@Entity({ name: 'turn_status_change' })
export class TurnStatusChangeEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  @ForeignKey(() => TurnEntity, { name: 'fk_turn_status_change_turn' })
  turnId!: string;

  @PrimaryColumn({ name: 'seq', type: 'integer' })
  seq!: number;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: string | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: string;

  @Column({ name: 'reason', type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'changed_at', type: 'text' })
  changedAt!: string;
}
