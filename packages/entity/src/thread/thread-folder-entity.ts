import { Column, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * A folder of threads. The parent reference is a composite foreign key on
 * (workspace_id, parent_folder_id), so the database itself refuses a parent in another
 * workspace; the matching UNIQUE (workspace_id, folder_id) exists only to be its target.
 * Foreign keys are declared with `@ForeignKey` on plain columns (no relation objects).
 */
@Entity({ name: 'thread_folder' })
@Unique('uq_thread_folder_workspace_folder', ['workspaceId', 'folderId'])
@Index('idx_thread_folder_parent', ['workspaceId', 'parentFolderId', 'name'])
@ForeignKey(() => ThreadFolderEntity, ['workspaceId', 'parentFolderId'], ['workspaceId', 'folderId'], {
  name: 'fk_thread_folder_parent',
})
export class ThreadFolderEntity {
  @PrimaryColumn({ name: 'folder_id', type: 'text' })
  folderId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_thread_folder_workspace' })
  workspaceId!: string;

  @Column({ name: 'parent_folder_id', type: 'text', nullable: true })
  parentFolderId!: string | null;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;
}
