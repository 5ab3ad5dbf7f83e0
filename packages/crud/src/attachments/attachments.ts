import {
  AttachmentRefParams,
  CairnError,
  LIMITS,
  ListTurnAttachmentsParams,
  MarkAttachmentFailedParams,
  MarkAttachmentReadyParams,
  RegisterAttachmentParams,
  type Attachment,
  type PageResult,
  type RegisterAttachmentResult,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { decodeCursor, toPage } from '../pagination/cursor.js';
import type { ReadContext } from '../store/store-context.js';
import { requireThread } from '../thread/thread-row.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import type { AttachmentDeps } from './attachment-store.js';
import { ATTACHMENT_COLUMNS, findAttachmentAnywhere, insertAttachment, toAttachment, type AttachmentRow } from './attachment-rows.js';

/**
 * The attachment upload registry. Not journaled: an attachment is declared before the turn
 * that references it starts (so there is no turn stream to append to yet), and what the turn
 * used is journaled by `turn.started`'s input. Plain rows through the store's writes.
 */

async function requireAttachment(q: ReadContext, workspaceId: string, attachmentId: string): Promise<AttachmentRow> {
  const row = await findAttachmentAnywhere(q, attachmentId);
  if (!row || row.workspace_id !== workspaceId) {
    throw new CairnError('not_found', 'attachment not found', { details: { workspace_id: workspaceId, attachment_id: attachmentId } });
  }
  return row;
}

const sameDeclaration = (row: AttachmentRow, p: RegisterAttachmentParams): boolean =>
  row.thread_id === p.thread_id &&
  row.turn_id === p.turn_id &&
  row.file_name === p.file_name &&
  row.media_type === p.media_type &&
  row.size_bytes === p.size_bytes &&
  row.sha256 === p.sha256;

/** Declares an attachment (`pending`). The same declaration again answers the record (`created: false`); anything else on a taken id is `conflict`. */
export async function registerAttachment(deps: AttachmentDeps, params: RegisterAttachmentParams): Promise<RegisterAttachmentResult> {
  const p = parseParams(RegisterAttachmentParams, params, 'attachments.register');
  const attachmentId = p.attachment_id ?? deps.context.newId('att');
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireThread(ctx, p.workspace_id, p.thread_id);
    const existing = await findAttachmentAnywhere(ctx, attachmentId);
    if (existing) {
      if (existing.workspace_id === p.workspace_id && sameDeclaration(existing, p)) return { attachment: toAttachment(existing), created: false };
      throw new CairnError('conflict', 'attachment id is not available', { details: { attachment_id: attachmentId } });
    }
    const now = deps.context.now();
    const row: AttachmentRow = {
      attachment_id: attachmentId,
      workspace_id: p.workspace_id,
      thread_id: p.thread_id,
      turn_id: p.turn_id,
      file_name: p.file_name,
      media_type: p.media_type,
      size_bytes: p.size_bytes,
      sha256: p.sha256,
      status: 'pending',
      upload_id: null,
      artifact_id: null,
      version_id: null,
      failure_reason: null,
      created_at: now,
      updated_at: now,
    };
    await insertAttachment(ctx, row);
    return { attachment: toAttachment(row), created: true };
  });
}

/** `pending` → `ready` with its storage reference. Again with the same reference: no-op; a `failed` one, or another reference: `conflict`. */
export async function markAttachmentReady(deps: AttachmentDeps, params: MarkAttachmentReadyParams): Promise<Attachment> {
  const p = parseParams(MarkAttachmentReadyParams, params, 'attachments.markReady');
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireAttachment(ctx, p.workspace_id, p.attachment_id);
    const next = {
      upload_id: p.storage.upload_id ?? row.upload_id,
      artifact_id: p.storage.artifact_id ?? row.artifact_id,
      version_id: p.storage.version_id ?? row.version_id,
    };
    if (row.status === 'ready') {
      const same = next.upload_id === row.upload_id && next.artifact_id === row.artifact_id && next.version_id === row.version_id;
      if (same) return toAttachment(row);
      throw new CairnError('conflict', 'the attachment is already ready with another storage reference', { details: { attachment_id: p.attachment_id } });
    }
    if (row.status === 'failed') throw new CairnError('conflict', 'a failed attachment cannot become ready', { details: { attachment_id: p.attachment_id } });
    const now = deps.context.now();
    await ctx.run(`UPDATE turn_attachment SET status = 'ready', upload_id = ?, artifact_id = ?, version_id = ?, updated_at = ? WHERE attachment_id = ?`, [
      next.upload_id,
      next.artifact_id,
      next.version_id,
      now,
      p.attachment_id,
    ]);
    return toAttachment({ ...row, ...next, status: 'ready', updated_at: now });
  });
}

/** `pending` → `failed` with a (redacted) reason. A failed one again: no-op; a `ready` one: `conflict`. */
export async function markAttachmentFailed(deps: AttachmentDeps, params: MarkAttachmentFailedParams): Promise<Attachment> {
  const p = parseParams(MarkAttachmentFailedParams, params, 'attachments.markFailed');
  const reason = String(deps.redact(p.reason));
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireAttachment(ctx, p.workspace_id, p.attachment_id);
    if (row.status === 'failed') return toAttachment(row);
    if (row.status === 'ready') throw new CairnError('conflict', 'a ready attachment cannot fail', { details: { attachment_id: p.attachment_id } });
    const now = deps.context.now();
    await ctx.run(`UPDATE turn_attachment SET status = 'failed', failure_reason = ?, updated_at = ? WHERE attachment_id = ?`, [reason, now, p.attachment_id]);
    return toAttachment({ ...row, status: 'failed', failure_reason: reason, updated_at: now });
  });
}

export async function getAttachment(deps: AttachmentDeps, params: AttachmentRefParams): Promise<Attachment> {
  const p = parseParams(AttachmentRefParams, params, 'attachments.get');
  return deps.context.read(async (q) => toAttachment(await requireAttachment(q, p.workspace_id, p.attachment_id)));
}

const LIST = `SELECT ${ATTACHMENT_COLUMNS} FROM turn_attachment WHERE workspace_id = ? AND turn_id = ? ORDER BY created_at, attachment_id LIMIT ?`;
const LIST_AFTER =
  `SELECT ${ATTACHMENT_COLUMNS} FROM turn_attachment WHERE workspace_id = ? AND turn_id = ? ` +
  'AND (created_at > ? OR (created_at = ? AND attachment_id > ?)) ORDER BY created_at, attachment_id LIMIT ?';

/** A turn's attachments in registration order, keyset-paginated. The turn need not have started. */
export async function listTurnAttachments(deps: AttachmentDeps, params: ListTurnAttachmentsParams): Promise<PageResult<Attachment>> {
  const p = parseParams(ListTurnAttachmentsParams, params, 'attachments.listForTurn');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = JSON.stringify(['turn_attachments', p.workspace_id, p.turn_id]);
  const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, filter);
  const rows = await deps.context.read(async (q) => {
    await requireWorkspace(q, p.workspace_id);
    return after
      ? q.all<AttachmentRow>(LIST_AFTER, [p.workspace_id, p.turn_id, after[0], after[0], after[1], limit + 1])
      : q.all<AttachmentRow>(LIST, [p.workspace_id, p.turn_id, limit + 1]);
  });
  return toPage(rows, limit, toAttachment, (r) => [r.created_at, r.attachment_id], filter);
}
