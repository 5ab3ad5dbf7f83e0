import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TurnEntity } from './turn-entity.js';

/** A turn's timeline: every event but text deltas, keyed by its stream sequence. `detail` is JSON text. */
@Entity({ name: 'turn_timeline_entry' })
export class TurnTimelineEntryEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  @ForeignKey(() => TurnEntity, { name: 'fk_turn_timeline_entry_turn' })
  turnId!: string;

  @PrimaryColumn({ name: 'seq', type: 'integer' })
  seq!: number;

  @Column({ name: 'workspace_seq', type: 'integer' })
  workspaceSeq!: number;

  @Column({ name: 'type', type: 'text' })
  type!: string;

  @Column({ name: 'item_id', type: 'text', nullable: true })
  itemId!: string | null;

  @Column({ name: 'attempt', type: 'integer', nullable: true })
  attempt!: number | null;

  @Column({ name: 'status', type: 'text', nullable: true })
  status!: string | null;

  @Column({ name: 'detail', type: 'text', nullable: true })
  detail!: string | null;

  @Column({ name: 'at', type: 'text' })
  at!: string;
}
