import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * An upload in flight (gateway migration 0009): its declaration (size, SHA-256, name), the
 * token that may continue it, and how far it got (`receivedBytes` with the opaque running
 * `hashState`, advanced by compare-and-set). The bytes are the blob store's. Bookkeeping.
 */
@Entity({ name: 'artifact_upload_session' })
@Index('idx_artifact_upload_session_expires', ['status', 'expiresAt'])
@Index('idx_artifact_upload_session_blob', ['workspaceId', 'sha256'])
export class ArtifactUploadSessionEntity {
  @PrimaryColumn({ name: 'upload_id', type: 'text' })
  uploadId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_artifact_upload_session_workspace' })
  workspaceId!: string;

  @Column({ name: 'token_id', type: 'text' })
  tokenId!: string;

  @Column({ name: 'thread_id', type: 'text', nullable: true })
  threadId!: string | null;

  @Column({ name: 'turn_id', type: 'text', nullable: true })
  turnId!: string | null;

  @Column({ name: 'artifact_id', type: 'text', nullable: true })
  artifactId!: string | null;

  @Column({ name: 'file_name', type: 'text' })
  fileName!: string;

  @Column({ name: 'mime_type', type: 'text' })
  mimeType!: string;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes!: string;

  @Column({ name: 'sha256', type: 'text' })
  sha256!: string;

  @Column({ name: 'source_kind', type: 'text' })
  sourceKind!: string;

  @Column({ name: 'chunk_size', type: 'integer' })
  chunkSize!: number;

  @Column({ name: 'received_bytes', type: 'bigint' })
  receivedBytes!: string;

  @Column({ name: 'hash_state', type: 'text', nullable: true })
  hashState!: string | null;

  /** `open` | `finished` | `aborted` | `expired`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'version_id', type: 'text', nullable: true })
  versionId!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;

  @Column({ name: 'expires_at', type: 'text' })
  expiresAt!: string;
}
