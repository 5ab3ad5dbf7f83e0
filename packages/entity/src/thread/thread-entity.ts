import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';
import { ThreadFolderEntity } from './thread-folder-entity.js';

/**
 * A thread row. `thread_id` is unique across the gateway (clients choose it). The folder
 * reference is composite (workspace_id, folder_id), so a thread can never sit in another
 * workspace's folder. `sandbox_policy` is JSON text. The three `*_activity` indexes serve
 * `thread/list` (all, by folder, by status) newest-first with the keyset tie-breaker.
 */
@Entity({ name: 'thread' })
@Index('idx_thread_workspace_activity', ['workspaceId', 'lastActivityAt', 'threadId'])
@Index('idx_thread_folder_activity', ['workspaceId', 'folderId', 'lastActivityAt', 'threadId'])
@Index('idx_thread_status_activity', ['workspaceId', 'status', 'lastActivityAt', 'threadId'])
@Index('idx_thread_forked_from', ['forkedFromThreadId'])
@ForeignKey(() => ThreadFolderEntity, ['workspaceId', 'folderId'], ['workspaceId', 'folderId'], { name: 'fk_thread_folder' })
export class ThreadEntity {
  @PrimaryColumn({ name: 'thread_id', type: 'text' })
  threadId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_thread_workspace' })
  workspaceId!: string;

  @Column({ name: 'folder_id', type: 'text', nullable: true })
  folderId!: string | null;

  @Column({ name: 'title', type: 'text', nullable: true })
  title!: string | null;

  @Column({ name: 'summary', type: 'text', nullable: true })
  summary!: string | null;

  @Column({ name: 'summary_updated_at', type: 'text', nullable: true })
  summaryUpdatedAt!: string | null;

  /** `active` | `archived`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  /** JSON of the protocol's `SandboxPolicy`. */
  @Column({ name: 'sandbox_policy', type: 'text' })
  sandboxPolicy!: string;

  @Column({ name: 'forked_from_thread_id', type: 'text', nullable: true })
  @ForeignKey(() => ThreadEntity, { name: 'fk_thread_forked_from' })
  forkedFromThreadId!: string | null;

  /** No foreign key yet: the turn table arrives with the turns migration. */
  @Column({ name: 'forked_from_turn_id', type: 'text', nullable: true })
  forkedFromTurnId!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;

  @Column({ name: 'last_activity_at', type: 'text' })
  lastActivityAt!: string;
}
