import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * A workspace's artifact usage counters (gateway migration 0009): `bytes` of its blob rows,
 * `files` of its artifacts not deleted. Kept in the transactions that change what they count;
 * `store.repair` recomputes them from the rows when they drift.
 */
@Entity({ name: 'artifact_usage' })
export class ArtifactUsageEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_artifact_usage_workspace' })
  workspaceId!: string;

  @Column({ name: 'bytes', type: 'bigint' })
  bytes!: string;

  @Column({ name: 'files', type: 'bigint' })
  files!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;
}
