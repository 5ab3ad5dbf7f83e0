import { Column, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';
import { ArtifactEntity } from './artifact-entity.js';

/** One immutable, blob-backed version of an artifact, numbered 1, 2, 3, ... (gateway migration 0009). */
@Entity({ name: 'artifact_version' })
@Unique('uq_artifact_version_number', ['artifactId', 'versionNumber'])
@Index('idx_artifact_version_blob', ['workspaceId', 'sha256'])
export class ArtifactVersionEntity {
  @PrimaryColumn({ name: 'version_id', type: 'text' })
  versionId!: string;

  @Column({ name: 'artifact_id', type: 'text' })
  @ForeignKey(() => ArtifactEntity, { name: 'fk_artifact_version_artifact' })
  artifactId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'version_number', type: 'integer' })
  versionNumber!: number;

  @Column({ name: 'sha256', type: 'text' })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes!: string;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'mime_type', type: 'text' })
  mimeType!: string;

  @Column({ name: 'kind', type: 'text' })
  kind!: string;

  @Column({ name: 'source_kind', type: 'text' })
  sourceKind!: string;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;
}
