import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ArtifactVersionEntity } from './artifact-version-entity.js';

/**
 * One derived view of one version (gateway migration 0009): `pending` until a worker claims it
 * (`claimOwner`, `claimExpiresAt`) and records `ready`, `failed` or `skipped`. `summary` is JSON.
 */
@Entity({ name: 'artifact_projection' })
@Index('idx_artifact_projection_claim', ['status', 'claimExpiresAt', 'createdAt'])
@Index('idx_artifact_projection_blob', ['workspaceId', 'blobSha256'])
export class ArtifactProjectionEntity {
  @PrimaryColumn({ name: 'version_id', type: 'text' })
  @ForeignKey(() => ArtifactVersionEntity, { name: 'fk_artifact_projection_version' })
  versionId!: string;

  @PrimaryColumn({ name: 'kind', type: 'text' })
  kind!: string;

  @Column({ name: 'artifact_id', type: 'text' })
  artifactId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'text', type: 'text', nullable: true })
  text!: string | null;

  @Column({ name: 'blob_sha256', type: 'text', nullable: true })
  blobSha256!: string | null;

  @Column({ name: 'summary', type: 'text', nullable: true })
  summary!: string | null;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'attempts', type: 'integer' })
  attempts!: number;

  @Column({ name: 'claim_owner', type: 'text', nullable: true })
  claimOwner!: string | null;

  @Column({ name: 'claim_expires_at', type: 'text', nullable: true })
  claimExpiresAt!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;
}
