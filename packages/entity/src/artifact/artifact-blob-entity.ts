import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * One stored content address of a workspace (gateway migration 0009): identical bytes in a
 * workspace are one row, whatever number of versions reference them. Bookkeeping, not
 * journaled: the blob store's files are the truth, this row is what quotas count and GC plans over.
 */
@Entity({ name: 'artifact_blob' })
@Index('idx_artifact_blob_created', ['createdAt'])
export class ArtifactBlobEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_artifact_blob_workspace' })
  workspaceId!: string;

  @PrimaryColumn({ name: 'sha256', type: 'text' })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes!: string;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'verified_at', type: 'text', nullable: true })
  verifiedAt!: string | null;
}
