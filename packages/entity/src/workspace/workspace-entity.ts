import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * A workspace row. Timestamps are ISO-8601 UTC text (sortable as text). `defaultSlot` is
 * `'default'` on the one default workspace and NULL elsewhere: the UNIQUE constraint makes a
 * second default impossible, whoever writes, in portable SQL (no partial index).
 */
@Entity({ name: 'workspace' })
@Unique('uq_workspace_default_slot', ['defaultSlot'])
@Index('idx_workspace_created', ['createdAt', 'workspaceId'])
export class WorkspaceEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'default_slot', type: 'text', nullable: true })
  defaultSlot!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;
}

/** The value of `default_slot` on the default workspace. */
export const DEFAULT_WORKSPACE_SLOT = 'default';
