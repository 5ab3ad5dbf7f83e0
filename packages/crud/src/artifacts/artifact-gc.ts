import { BlobRefParams, BlobRowsParams, CairnError, RecordBlobParams, UnreferencedBlobsParams, type ArtifactBlobRecord } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { ReadContext, StoreContext } from '../store/store-context.js';
import { normalizeTimestamp } from '../turn-records/record-values.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { appendArtifactEvents, type ArtifactDeps } from './artifact-deps.js';
import { addUsage, checkUsageChange, quotasOf, readUsage } from './artifact-usage.js';

/*
 * GC support over `artifact_blob`. A blob is referenced while a version holds its bytes, an
 * open upload session declared them, or a projection (a thumbnail) is stored in it. Planning
 * reads candidates; deleting re-checks every reference inside the write transaction that
 * deletes the row, under the workspace's lock (which `recordVersion` takes too), so a blob
 * referenced by the time the delete runs is never reported deleted.
 */

interface BlobRow {
  workspace_id: string;
  sha256: string;
  size_bytes: number;
  created_at: string;
  verified_at: string | null;
}

const COLUMNS = 'workspace_id, sha256, size_bytes, created_at, verified_at';
const toBlob = (r: BlobRow): ArtifactBlobRecord => ({ ...r, size_bytes: Number(r.size_bytes) });

/** The three kinds of reference, as a condition on a blob row aliased `b`. */
const UNREFERENCED =
  'NOT EXISTS (SELECT 1 FROM artifact_version v WHERE v.workspace_id = b.workspace_id AND v.sha256 = b.sha256) ' +
  "AND NOT EXISTS (SELECT 1 FROM artifact_upload_session u WHERE u.workspace_id = b.workspace_id AND u.sha256 = b.sha256 AND u.status = 'open') " +
  'AND NOT EXISTS (SELECT 1 FROM artifact_projection pr WHERE pr.workspace_id = b.workspace_id AND pr.blob_sha256 = b.sha256)';

/** Blob rows created before `older_than` that nothing references, oldest first: GC's candidates (each re-checked by `deleteBlobIfUnreferenced`). */
export async function unreferencedBlobs(context: StoreContext, params: UnreferencedBlobsParams): Promise<ArtifactBlobRecord[]> {
  const p = parseParams(UnreferencedBlobsParams, params, 'artifacts.unreferencedBlobs');
  const olderThan = normalizeTimestamp(p.older_than, 'older_than');
  const scope = p.workspace_id === undefined ? '' : ' AND b.workspace_id = ?';
  const rows = await context.read((q) =>
    q.all<BlobRow>(`SELECT ${COLUMNS.split(', ').map((c) => `b.${c}`).join(', ')} FROM artifact_blob b WHERE b.created_at < ?${scope} AND ${UNREFERENCED} ORDER BY b.created_at, b.workspace_id, b.sha256 LIMIT ?`, [
      olderThan,
      ...(p.workspace_id === undefined ? [] : [p.workspace_id]),
      p.limit,
    ]),
  );
  return rows.map(toBlob);
}

async function isReferenced(q: ReadContext, workspaceId: string, sha256: string): Promise<boolean> {
  const row = await q.get(`SELECT 1 AS referenced FROM artifact_blob b WHERE b.workspace_id = ? AND b.sha256 = ? AND NOT (${UNREFERENCED})`, [workspaceId, sha256]);
  return row !== undefined;
}

/**
 * Deletes the blob row if, re-checked in this transaction, no version, open upload session or
 * projection references it; the bytes counter goes down with it. True: the row is gone and the
 * blob store may delete the file. False: referenced (or no such row): keep the file.
 */
export async function deleteBlobIfUnreferenced(context: StoreContext, params: BlobRefParams): Promise<boolean> {
  const p = parseParams(BlobRefParams, params, 'artifacts.deleteBlobIfUnreferenced');
  return context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireWorkspace(ctx, p.workspace_id);
    const row = await ctx.get<BlobRow>(`SELECT ${COLUMNS} FROM artifact_blob WHERE workspace_id = ? AND sha256 = ?`, [p.workspace_id, p.sha256]);
    if (!row || (await isReferenced(ctx, p.workspace_id, p.sha256))) return false;
    await ctx.run('DELETE FROM artifact_blob WHERE workspace_id = ? AND sha256 = ?', [p.workspace_id, p.sha256]);
    await addUsage(ctx, p.workspace_id, -Number(row.size_bytes), 0, context.now());
    return true;
  });
}

/** One page of blob rows in (workspace, sha256) order after `after` (default 1000 rows): for verify, and for finding files without a row. */
export async function blobRows(context: StoreContext, params: BlobRowsParams = {}): Promise<ArtifactBlobRecord[]> {
  const p = parseParams(BlobRowsParams, params, 'artifacts.blobRows');
  const clauses: string[] = [];
  const args: unknown[] = [];
  if (p.workspace_id !== undefined) {
    clauses.push('workspace_id = ?');
    args.push(p.workspace_id);
  }
  if (p.after !== undefined) {
    clauses.push('(workspace_id > ? OR (workspace_id = ? AND sha256 > ?))');
    args.push(p.after.workspace_id, p.after.workspace_id, p.after.sha256);
  }
  const where = clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`;
  const rows = await context.read((q) => q.all<BlobRow>(`SELECT ${COLUMNS} FROM artifact_blob${where} ORDER BY workspace_id, sha256 LIMIT ?`, [...args, p.limit ?? 1000]));
  return rows.map(toBlob);
}

/** One blob row, or null. */
export async function getBlob(context: StoreContext, params: BlobRefParams): Promise<ArtifactBlobRecord | null> {
  const p = parseParams(BlobRefParams, params, 'artifacts.getBlob');
  const row = await context.read(async (q) => {
    await requireWorkspace(q, p.workspace_id);
    return q.get<BlobRow>(`SELECT ${COLUMNS} FROM artifact_blob WHERE workspace_id = ? AND sha256 = ?`, [p.workspace_id, p.sha256]);
  });
  return row ? toBlob(row) : null;
}

/** Stamps a blob row as re-hashed and found intact at `verified_at` (default now); false when there is no such row. */
export async function markBlobVerified(context: StoreContext, params: BlobRefParams & { verified_at?: string }): Promise<boolean> {
  const { verified_at, ...ref } = params;
  const p = parseParams(BlobRefParams, ref, 'artifacts.markBlobVerified');
  const at = verified_at === undefined ? context.now() : normalizeTimestamp(verified_at, 'verified_at');
  return context.write(async (ctx) => {
    const { changes } = await ctx.run('UPDATE artifact_blob SET verified_at = ? WHERE workspace_id = ? AND sha256 = ?', [at, p.workspace_id, p.sha256]);
    return changes === 1;
  });
}

/**
 * Registers a blob no version names yet (a thumbnail): the row, and its bytes in the usage
 * counter. Derived bytes are not refused by the quota (a projection must never fail an
 * upload that fit) but they count, and crossing the warning threshold warns. The same bytes again: `created: false`; the same hash with
 * another size: `invalid_params`.
 */
export async function recordBlob(deps: ArtifactDeps, params: RecordBlobParams): Promise<{ blob: ArtifactBlobRecord; created: boolean }> {
  const p = parseParams(RecordBlobParams, params, 'artifacts.recordBlob');
  const { context } = deps;
  return context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireWorkspace(ctx, p.workspace_id);
    const row = await ctx.get<BlobRow>(`SELECT ${COLUMNS} FROM artifact_blob WHERE workspace_id = ? AND sha256 = ?`, [p.workspace_id, p.sha256]);
    if (row) {
      if (Number(row.size_bytes) !== p.size_bytes) {
        throw new CairnError('invalid_params', 'the blob is recorded with another size', { details: { sha256: p.sha256, size_bytes: p.size_bytes, recorded_size_bytes: Number(row.size_bytes) } });
      }
      return { blob: toBlob(row), created: false };
    }
    const now = context.now();
    const blob: BlobRow = { workspace_id: p.workspace_id, sha256: p.sha256, size_bytes: p.size_bytes, created_at: now, verified_at: now };
    const warnings = checkUsageChange(quotasOf(p.quotas), await readUsage(ctx, p.workspace_id), { bytes: p.size_bytes, files: 0 }, now, { refuse: false });
    await ctx.run(`INSERT INTO artifact_blob (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`, [blob.workspace_id, blob.sha256, blob.size_bytes, blob.created_at, blob.verified_at]);
    await addUsage(ctx, p.workspace_id, p.size_bytes, 0, now);
    await appendArtifactEvents(ctx, deps, p.workspace_id, warnings);
    return { blob: toBlob(blob), created: true };
  });
}
