import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * The logical file (gateway migration 0009): `artifactId` stays across versions, soft delete
 * and restore. The current version's fields are copied here so listings join nothing else;
 * `restoreStatus` is what a soft delete replaced; `threadId` the first thread it was bound to.
 */
@Entity({ name: 'artifact' })
@Index('idx_artifact_workspace_created', ['workspaceId', 'createdAt', 'artifactId'])
export class ArtifactEntity {
  @PrimaryColumn({ name: 'artifact_id', type: 'text' })
  artifactId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_artifact_workspace' })
  workspaceId!: string;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'kind', type: 'text' })
  kind!: string;

  @Column({ name: 'mime_type', type: 'text' })
  mimeType!: string;

  /** `ready` | `pending` | `quarantined` | `deleted` | `failed`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'restore_status', type: 'text', nullable: true })
  restoreStatus!: string | null;

  @Column({ name: 'source_kind', type: 'text' })
  sourceKind!: string;

  @Column({ name: 'current_version_id', type: 'text' })
  currentVersionId!: string;

  @Column({ name: 'version_count', type: 'integer' })
  versionCount!: number;

  @Column({ name: 'sha256', type: 'text' })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes!: string;

  @Column({ name: 'thread_id', type: 'text', nullable: true })
  threadId!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;

  @Column({ name: 'deleted_at', type: 'text', nullable: true })
  deletedAt!: string | null;

  /** The artifact stream's sequence of the last event applied. */
  @Column({ name: 'last_seq', type: 'integer' })
  lastSeq!: number;
}
