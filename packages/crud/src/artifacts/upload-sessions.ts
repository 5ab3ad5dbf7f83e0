import {
  AdvanceUploadSessionParams,
  CairnError,
  CreateUploadSessionParams,
  ExpiredUploadSessionsParams,
  FinishUploadSessionParams,
  UploadSessionRefParams,
  type AdvanceUploadSessionResult,
  type ArtifactSourceKind,
  type ArtifactUploadSession,
  type UploadSessionStatus,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { ReadContext, StoreContext, WriteContext } from '../store/store-context.js';
import { findThreadAnywhere } from '../thread/thread-row.js';
import { normalizeTimestamp } from '../turn-records/record-values.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { findArtifactAnywhere, requireArtifact, requireVersion } from './artifact-rows.js';
import { checkArtifactSize, checkUsageChange, quotasOf, readUsage } from './artifact-usage.js';

/*
 * Upload session rows (`artifact_upload_session`): the declaration, the token that may
 * continue it, and how far it got. Bookkeeping, not journaled: the upload becomes visible as
 * an artifact through `recordVersion` (journaled) when it finishes; the bytes are the blob
 * store's. Every transition is a conditional UPDATE, so two connections racing on one session
 * cannot both advance it.
 */

interface UploadRow {
  upload_id: string;
  workspace_id: string;
  token_id: string;
  thread_id: string | null;
  turn_id: string | null;
  artifact_id: string | null;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  source_kind: string;
  chunk_size: number;
  received_bytes: number;
  hash_state: string | null;
  status: string;
  version_id: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

const COLUMNS =
  'upload_id, workspace_id, token_id, thread_id, turn_id, artifact_id, file_name, mime_type, size_bytes, sha256, source_kind, chunk_size, ' +
  'received_bytes, hash_state, status, version_id, created_at, updated_at, expires_at';

function toSession(row: UploadRow): ArtifactUploadSession {
  return {
    ...row,
    size_bytes: Number(row.size_bytes),
    chunk_size: Number(row.chunk_size),
    received_bytes: Number(row.received_bytes),
    source_kind: row.source_kind as ArtifactSourceKind,
    status: row.status as UploadSessionStatus,
  };
}

const findUpload = (q: ReadContext, uploadId: string) => q.get<UploadRow>(`SELECT ${COLUMNS} FROM artifact_upload_session WHERE upload_id = ?`, [uploadId]);

/** The session if it belongs to the workspace; another workspace's is reported exactly like a missing one. */
async function requireUpload(q: ReadContext, workspaceId: string, uploadId: string): Promise<UploadRow> {
  const row = await findUpload(q, uploadId);
  if (!row || row.workspace_id !== workspaceId) throw new CairnError('not_found', 'upload session not found', { details: { workspace_id: workspaceId, upload_id: uploadId } });
  return row;
}

const conflict = (message: string, row: UploadRow) =>
  new CairnError('conflict', message, { details: { upload_id: row.upload_id, status: row.status, received_bytes: Number(row.received_bytes) } });

const sameDeclaration = (row: UploadRow, p: CreateUploadSessionParams): boolean =>
  row.workspace_id === p.workspace_id &&
  row.token_id === p.token_id &&
  row.file_name === p.file_name &&
  row.mime_type === p.mime_type &&
  Number(row.size_bytes) === p.size_bytes &&
  row.sha256 === p.sha256 &&
  row.artifact_id === (p.artifact_id ?? null) &&
  row.thread_id === (p.thread_id ?? null) &&
  row.turn_id === (p.turn_id ?? null);

/**
 * Declares an upload (`open`, nothing received). The declared size is checked against the
 * quotas before any byte is sent (`quota_exceeded`; bytes the workspace already stores do not
 * count again). A new version of `artifact_id` needs that artifact in the workspace. A thread
 * or turn named may be a draft not materialized yet, but never another workspace's
 * (`not_found`). The same `upload_id` with the same declaration answers the session.
 */
export async function createUploadSession(context: StoreContext, params: CreateUploadSessionParams): Promise<ArtifactUploadSession> {
  const p = parseParams(CreateUploadSessionParams, params, 'artifacts.createUploadSession');
  const quotas = quotasOf(p.quotas);
  checkArtifactSize(quotas, p.workspace_id, p.size_bytes);
  const expires = normalizeTimestamp(p.expires_at, 'expires_at');
  const uploadId = p.upload_id ?? context.newId('upl');
  return context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireWorkspace(ctx, p.workspace_id);
    const existing = await findUpload(ctx, uploadId);
    if (existing) {
      if (sameDeclaration(existing, p)) return toSession(existing);
      throw new CairnError('conflict', 'upload id is not available', { details: { upload_id: uploadId } });
    }
    if (p.artifact_id !== undefined) {
      const artifact = await findArtifactAnywhere(ctx, p.artifact_id);
      if (artifact) await requireArtifact(ctx, p.workspace_id, p.artifact_id);
    }
    await refuseForeignScope(ctx, p);
    const known = await ctx.get('SELECT sha256 FROM artifact_blob WHERE workspace_id = ? AND sha256 = ?', [p.workspace_id, p.sha256]);
    const newArtifact = p.artifact_id === undefined || !(await findArtifactAnywhere(ctx, p.artifact_id));
    checkUsageChange(quotas, await readUsage(ctx, p.workspace_id), { bytes: known ? 0 : p.size_bytes, files: newArtifact ? 1 : 0 }, context.now());
    const now = context.now();
    const row: UploadRow = {
      upload_id: uploadId,
      workspace_id: p.workspace_id,
      token_id: p.token_id,
      thread_id: p.thread_id ?? null,
      turn_id: p.turn_id ?? null,
      artifact_id: p.artifact_id ?? null,
      file_name: context.redactText(p.file_name),
      mime_type: p.mime_type,
      size_bytes: p.size_bytes,
      sha256: p.sha256,
      source_kind: p.source_kind,
      chunk_size: p.chunk_size,
      received_bytes: 0,
      hash_state: null,
      status: 'open',
      version_id: null,
      created_at: now,
      updated_at: now,
      expires_at: expires,
    };
    await ctx.run(`INSERT INTO artifact_upload_session (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      row.upload_id, row.workspace_id, row.token_id, row.thread_id, row.turn_id, row.artifact_id, row.file_name, row.mime_type, row.size_bytes,
      row.sha256, row.source_kind, row.chunk_size, row.received_bytes, row.hash_state, row.status, row.version_id, row.created_at, row.updated_at, row.expires_at,
    ]);
    return toSession(row);
  });
}

async function refuseForeignScope(ctx: WriteContext, p: CreateUploadSessionParams): Promise<void> {
  const notFound = (what: string, id: string) => new CairnError('not_found', `${what} not found`, { details: { workspace_id: p.workspace_id, [`${what}_id`]: id } });
  if (p.thread_id !== undefined) {
    const thread = await findThreadAnywhere(ctx, p.thread_id);
    if (thread && thread.workspace_id !== p.workspace_id) throw notFound('thread', p.thread_id);
  }
  if (p.turn_id !== undefined) {
    const turn = await ctx.get<{ workspace_id: string; thread_id: string }>('SELECT workspace_id, thread_id FROM turn WHERE turn_id = ?', [p.turn_id]);
    if (turn && (turn.workspace_id !== p.workspace_id || (p.thread_id !== undefined && turn.thread_id !== p.thread_id))) throw notFound('turn', p.turn_id);
  }
}

export async function getUploadSession(context: StoreContext, params: UploadSessionRefParams): Promise<ArtifactUploadSession> {
  const p = parseParams(UploadSessionRefParams, params, 'artifacts.getUploadSession');
  return context.read(async (q) => toSession(await requireUpload(q, p.workspace_id, p.upload_id)));
}

/**
 * Compare-and-set of the received offset: applies only while the session is open, not
 * expired, and has exactly `expected_offset` bytes; `received_bytes` must move forward and stay
 * within the declared size. A lost race or a stale offset answers `{ ok: false }` with the
 * session as it is, so the sender resumes from its `received_bytes`. Past `expires_at`:
 * `session_expired`.
 */
export async function advanceUploadSession(context: StoreContext, params: AdvanceUploadSessionParams): Promise<AdvanceUploadSessionResult> {
  const p = parseParams(AdvanceUploadSessionParams, params, 'artifacts.advanceUploadSession');
  return context.write(async (ctx) => {
    const row = await requireUpload(ctx, p.workspace_id, p.upload_id);
    if (p.received_bytes > Number(row.size_bytes)) {
      throw new CairnError('payload_too_large', 'more bytes than the upload declared', { details: { upload_id: p.upload_id, size_bytes: Number(row.size_bytes), received_bytes: p.received_bytes } });
    }
    if (p.received_bytes <= p.expected_offset) {
      throw new CairnError('invalid_params', 'received_bytes must move past expected_offset', { details: { expected_offset: p.expected_offset, received_bytes: p.received_bytes } });
    }
    const now = context.now();
    if (row.status === 'open' && row.expires_at <= now) {
      throw new CairnError('session_expired', 'the upload session has expired', { details: { upload_id: p.upload_id, expires_at: row.expires_at } });
    }
    const { changes } = await ctx.run(
      "UPDATE artifact_upload_session SET received_bytes = ?, hash_state = ?, updated_at = ? WHERE upload_id = ? AND status = 'open' AND received_bytes = ? AND expires_at > ?",
      [p.received_bytes, p.hash_state, now, p.upload_id, p.expected_offset, now],
    );
    const after = (await findUpload(ctx, p.upload_id))!;
    if (changes === 1) return { ok: true, session: toSession(after) };
    return { ok: false, reason: after.status === 'open' ? 'offset_mismatch' : 'not_open', session: toSession(after) };
  });
}

/**
 * Marks the upload finished as the version it became (recorded first with `recordVersion`):
 * every declared byte received, the version in the workspace. Again with the same version: no-op.
 */
export async function finishUploadSession(context: StoreContext, params: FinishUploadSessionParams): Promise<ArtifactUploadSession> {
  const p = parseParams(FinishUploadSessionParams, params, 'artifacts.finishUploadSession');
  return context.write(async (ctx) => {
    const row = await requireUpload(ctx, p.workspace_id, p.upload_id);
    if (row.status === 'finished' && row.version_id === p.version_id && row.artifact_id === p.artifact_id) return toSession(row);
    if (row.status !== 'open') throw conflict(`the upload session is ${row.status}`, row);
    if (Number(row.received_bytes) !== Number(row.size_bytes)) throw conflict('the upload has not received every declared byte', row);
    const version = await requireVersion(ctx, p.workspace_id, p.version_id, p.artifact_id);
    if (version.sha256 !== row.sha256) throw new CairnError('checksum_mismatch', 'the version holds other bytes than the upload declared', { details: { upload_id: p.upload_id } });
    const now = context.now();
    const { changes } = await ctx.run(
      "UPDATE artifact_upload_session SET status = 'finished', artifact_id = ?, version_id = ?, updated_at = ? WHERE upload_id = ? AND status = 'open'",
      [p.artifact_id, p.version_id, now, p.upload_id],
    );
    if (changes !== 1) throw conflict('the upload session changed meanwhile', (await findUpload(ctx, p.upload_id))!);
    return toSession((await findUpload(ctx, p.upload_id))!);
  });
}

async function closeSession(context: StoreContext, params: UploadSessionRefParams, status: 'aborted' | 'expired', operation: string): Promise<ArtifactUploadSession> {
  const p = parseParams(UploadSessionRefParams, params, operation);
  return context.write(async (ctx) => {
    const row = await requireUpload(ctx, p.workspace_id, p.upload_id);
    if (row.status === status) return toSession(row);
    if (row.status !== 'open') throw conflict(`the upload session is ${row.status}`, row);
    await ctx.run("UPDATE artifact_upload_session SET status = ?, updated_at = ? WHERE upload_id = ? AND status = 'open'", [status, context.now(), p.upload_id]);
    return toSession((await findUpload(ctx, p.upload_id))!);
  });
}

/** The client gave up: `aborted` (the temp bytes are the blob store's to remove). Again: no-op; a finished one: `conflict`. */
export function abortUploadSession(context: StoreContext, params: UploadSessionRefParams): Promise<ArtifactUploadSession> {
  return closeSession(context, params, 'aborted', 'artifacts.abortUploadSession');
}

/** An expired session the service cleaned up: `expired`. Again: no-op; a finished one: `conflict`. */
export function expireUploadSession(context: StoreContext, params: UploadSessionRefParams): Promise<ArtifactUploadSession> {
  return closeSession(context, params, 'expired', 'artifacts.expireUploadSession');
}

/** Open sessions past `expires_at` at `now`, every workspace, soonest expired first. */
export async function expiredUploadSessions(context: StoreContext, params: ExpiredUploadSessionsParams): Promise<ArtifactUploadSession[]> {
  const p = parseParams(ExpiredUploadSessionsParams, params, 'artifacts.expiredUploadSessions');
  const now = normalizeTimestamp(p.now, 'now');
  const rows = await context.read((q) =>
    q.all<UploadRow>(`SELECT ${COLUMNS} FROM artifact_upload_session WHERE status = 'open' AND expires_at <= ? ORDER BY expires_at, upload_id LIMIT ?`, [now, p.limit]),
  );
  return rows.map(toSession);
}

/** Every open session (expired or not), every workspace, by upload id: what startup compares upload temp files with. At most `limit` (default 10,000). */
export async function openUploadSessions(context: StoreContext, params: { limit?: number } = {}): Promise<ArtifactUploadSession[]> {
  const limit = Math.max(1, Math.min(params.limit ?? 10_000, 100_000));
  const rows = await context.read((q) => q.all<UploadRow>(`SELECT ${COLUMNS} FROM artifact_upload_session WHERE status = 'open' ORDER BY upload_id LIMIT ?`, [limit]));
  return rows.map(toSession);
}
