import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ThreadEntity } from '../thread/thread-entity.js';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * The upload registry of attachments a turn input references. `turn_id` has no foreign key:
 * clients register attachments before `turn/start` (turn ids are client-chosen). The storage
 * reference (`upload_id`, `artifact_id`, `version_id`) is filled in when the bytes are ready.
 */
@Entity({ name: 'turn_attachment' })
@Index('idx_turn_attachment_turn', ['workspaceId', 'turnId', 'createdAt', 'attachmentId'])
export class TurnAttachmentEntity {
  @PrimaryColumn({ name: 'attachment_id', type: 'text' })
  attachmentId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_turn_attachment_workspace' })
  workspaceId!: string;

  @Column({ name: 'thread_id', type: 'text' })
  @ForeignKey(() => ThreadEntity, { name: 'fk_turn_attachment_thread' })
  threadId!: string;

  @Column({ name: 'turn_id', type: 'text' })
  turnId!: string;

  @Column({ name: 'file_name', type: 'text' })
  fileName!: string;

  @Column({ name: 'media_type', type: 'text' })
  mediaType!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ name: 'sha256', type: 'text' })
  sha256!: string;

  /** `pending` | `ready` | `failed`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'upload_id', type: 'text', nullable: true })
  uploadId!: string | null;

  @Column({ name: 'artifact_id', type: 'text', nullable: true })
  artifactId!: string | null;

  @Column({ name: 'version_id', type: 'text', nullable: true })
  versionId!: string | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;
}
