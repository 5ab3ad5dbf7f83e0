import type { Attachment, AttachmentStatus } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../store/store-context.js';

export interface AttachmentRow {
  attachment_id: string;
  workspace_id: string;
  thread_id: string;
  turn_id: string;
  file_name: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  status: string;
  upload_id: string | null;
  artifact_id: string | null;
  version_id: string | null;
  failure_reason: string | null;
  created_at: string;
  updated_at: string;
}

export const ATTACHMENT_COLUMNS =
  'attachment_id, workspace_id, thread_id, turn_id, file_name, media_type, size_bytes, sha256, status, upload_id, artifact_id, version_id, ' +
  'failure_reason, created_at, updated_at';

/** The row whatever its workspace: for the id-conflict rule only. */
export function findAttachmentAnywhere(q: ReadContext, attachmentId: string): Promise<AttachmentRow | undefined> {
  return q.get<AttachmentRow>(`SELECT ${ATTACHMENT_COLUMNS} FROM turn_attachment WHERE attachment_id = ?`, [attachmentId]);
}

export async function insertAttachment(ctx: WriteContext, row: AttachmentRow): Promise<void> {
  await ctx.run(`INSERT INTO turn_attachment (${ATTACHMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.attachment_id,
    row.workspace_id,
    row.thread_id,
    row.turn_id,
    row.file_name,
    row.media_type,
    row.size_bytes,
    row.sha256,
    row.status,
    row.upload_id,
    row.artifact_id,
    row.version_id,
    row.failure_reason,
    row.created_at,
    row.updated_at,
  ]);
}

export function toAttachment(row: AttachmentRow): Attachment {
  return {
    attachment_id: row.attachment_id,
    workspace_id: row.workspace_id,
    thread_id: row.thread_id,
    turn_id: row.turn_id,
    file_name: row.file_name,
    media_type: row.media_type,
    size_bytes: row.size_bytes,
    sha256: row.sha256,
    status: row.status as AttachmentStatus,
    storage: { upload_id: row.upload_id, artifact_id: row.artifact_id, version_id: row.version_id },
    failure_reason: row.failure_reason,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
