import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where a provider already holds a copy of an artifact (gateway migration 0009), keyed by
 * (workspace, artifact, version, provider, model family, transport kind); `''` stands for an
 * absent version or model family so the key is a plain primary key. Bookkeeping, not journaled.
 */
@Entity({ name: 'artifact_external_ref' })
@Index('idx_artifact_external_ref_expires', ['expiresAt'])
export class ArtifactExternalRefEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryColumn({ name: 'artifact_id', type: 'text' })
  artifactId!: string;

  @PrimaryColumn({ name: 'version_key', type: 'text' })
  versionKey!: string;

  @PrimaryColumn({ name: 'provider', type: 'text' })
  provider!: string;

  @PrimaryColumn({ name: 'model_family', type: 'text' })
  modelFamily!: string;

  @PrimaryColumn({ name: 'transport_kind', type: 'text' })
  transportKind!: string;

  @Column({ name: 'external_id', type: 'text' })
  externalId!: string;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'expires_at', type: 'text', nullable: true })
  expiresAt!: string | null;
}
