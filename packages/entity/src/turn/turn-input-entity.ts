import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TurnEntity } from './turn-entity.js';

/** One part of a turn's input, in order: text, or a reference to an attachment record. */
@Entity({ name: 'turn_input' })
export class TurnInputEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  @ForeignKey(() => TurnEntity, { name: 'fk_turn_input_turn' })
  turnId!: string;

  @PrimaryColumn({ name: 'ordinal', type: 'integer' })
  ordinal!: number;

  /** `text` | `attachment`. */
  @Column({ name: 'kind', type: 'text' })
  kind!: string;

  @Column({ name: 'text', type: 'text', nullable: true })
  text!: string | null;

  @Column({ name: 'attachment_id', type: 'text', nullable: true })
  attachmentId!: string | null;

  @Column({ name: 'name', type: 'text', nullable: true })
  name!: string | null;

  @Column({ name: 'mime_type', type: 'text', nullable: true })
  mimeType!: string | null;
}
