import {
  CairnError,
  ClaimPendingProjectionsParams,
  LIMITS,
  RecordProjectionParams,
  type ArtifactProjection,
  type ArtifactProjectionUpdatedPayload,
  type ClaimedProjection,
  type ProjectionKind,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { addMs, normalizeTimestamp } from '../turn-records/record-values.js';
import { appendArtifactEvents, type ArtifactDeps } from './artifact-deps.js';
import { PROJECTION_COLUMNS, findArtifactAnywhere, requireVersion, toProjection, type ArtifactRow, type ProjectionRow } from './artifact-rows.js';

const DEFAULT_LEASE_MS = 5 * 60 * 1000;

/**
 * The claim: ONE conditional UPDATE that re-states what makes the row claimable (pending, and
 * unclaimed or its lease expired), so two claimers picking the same candidate cannot both win;
 * the dialect's `claimLock` makes them pick different ones on PostgreSQL.
 */
const CLAIM = `UPDATE artifact_projection SET claim_owner = ?, claim_expires_at = ?, attempts = attempts + 1
  WHERE version_id = ? AND kind = ? AND status = 'pending' AND (claim_expires_at IS NULL OR claim_expires_at <= ?)`;

/**
 * Claims up to `limit` pending projections, oldest first, for `owner` until `now + lease_ms`
 * (bookkeeping columns, not journaled: a crashed worker's claim simply expires). Each answer
 * carries what the worker needs to derive it: the version's blob address, size and type.
 */
export async function claimPendingProjections(deps: ArtifactDeps, params: ClaimPendingProjectionsParams): Promise<ClaimedProjection[]> {
  const p = parseParams(ClaimPendingProjectionsParams, params, 'artifacts.claimPendingProjections');
  const now = p.now === undefined ? deps.context.now() : normalizeTimestamp(p.now, 'now');
  const expires = addMs(now, p.lease_ms ?? DEFAULT_LEASE_MS);
  const clauses = ["status = 'pending'", '(claim_expires_at IS NULL OR claim_expires_at <= ?)'];
  const args: unknown[] = [now];
  if (p.workspace_id !== undefined) {
    clauses.push('workspace_id = ?');
    args.push(p.workspace_id);
  }
  if (p.kinds !== undefined) {
    clauses.push(`kind IN (${p.kinds.map(() => '?').join(', ')})`);
    args.push(...p.kinds);
  }
  return deps.context.write(async (ctx) => {
    const candidates = await ctx.all<{ version_id: string; kind: string }>(
      `SELECT version_id, kind FROM artifact_projection WHERE ${clauses.join(' AND ')} ORDER BY created_at, version_id, kind LIMIT ?${ctx.dialect.claimLock}`,
      [...args, p.limit],
    );
    const claimed: ClaimedProjection[] = [];
    for (const c of candidates) {
      const { changes } = await ctx.run(CLAIM, [p.owner, expires, c.version_id, c.kind, now]);
      if (changes !== 1) continue;
      const row = await ctx.get<Record<string, unknown>>(
        'SELECT v.workspace_id, v.artifact_id, v.version_id, v.sha256, v.size_bytes, v.mime_type, v.kind AS artifact_kind, v.name, pr.attempts ' +
          'FROM artifact_projection pr JOIN artifact_version v ON v.version_id = pr.version_id WHERE pr.version_id = ? AND pr.kind = ?',
        [c.version_id, c.kind],
      );
      claimed.push({
        workspace_id: String(row!.workspace_id),
        artifact_id: String(row!.artifact_id),
        version_id: c.version_id,
        kind: c.kind as ProjectionKind,
        sha256: String(row!.sha256),
        size_bytes: Number(row!.size_bytes),
        mime_type: String(row!.mime_type),
        artifact_kind: row!.artifact_kind as ClaimedProjection['artifact_kind'],
        name: String(row!.name),
        attempts: Number(row!.attempts),
        claim_expires_at: expires,
      });
    }
    return claimed;
  });
}

const textBytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Records a projection's outcome: `artifact.projection_updated` (journaled, so clients hear of
 * it and a rebuild keeps it), whatever the artifact's status: a projection never fails or
 * changes its artifact. `ready` needs its content (text for `plain_text`/`pdf_text`, a
 * same-workspace blob for `thumbnail`, a summary for `json_summary`); `failed` needs `error`.
 * With `owner`, a claim another owner holds now is `conflict` (it was taken over after expiry).
 */
export async function recordProjection(deps: ArtifactDeps, params: RecordProjectionParams): Promise<ArtifactProjection> {
  const p = parseParams(RecordProjectionParams, params, 'artifacts.recordProjection');
  checkContent(p);
  const text = p.text === undefined ? null : deps.context.redactText(p.text);
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const version = await requireVersion(ctx, p.workspace_id, p.version_id);
    if (p.blob_sha256 !== undefined) {
      const blob = await ctx.get('SELECT sha256 FROM artifact_blob WHERE workspace_id = ? AND sha256 = ?', [p.workspace_id, p.blob_sha256]);
      if (!blob) throw new CairnError('not_found', 'projection blob not found', { details: { workspace_id: p.workspace_id, sha256: p.blob_sha256 } });
    }
    const row = await ctx.get<ProjectionRow>(`SELECT ${PROJECTION_COLUMNS} FROM artifact_projection WHERE version_id = ? AND kind = ?`, [p.version_id, p.kind]);
    if (p.owner !== undefined && row && row.claim_owner !== null && row.claim_owner !== p.owner) {
      throw new CairnError('conflict', 'the projection is claimed by another owner', { details: { version_id: p.version_id, kind: p.kind } });
    }
    const now = deps.context.now();
    const projection: ArtifactProjection = {
      version_id: p.version_id,
      artifact_id: version.artifact_id,
      workspace_id: p.workspace_id,
      kind: p.kind,
      status: p.status,
      text,
      blob_sha256: p.blob_sha256 ?? null,
      summary: p.summary === undefined ? null : p.summary,
      error: p.error === undefined ? null : deps.context.redactText(p.error),
      created_at: row?.created_at ?? now,
      updated_at: now,
    };
    const artifact = (await findArtifactAnywhere(ctx, version.artifact_id)) as ArtifactRow;
    const payload: ArtifactProjectionUpdatedPayload = { projection };
    await appendArtifactEvents(ctx, deps, p.workspace_id, [
      { streamId: version.artifact_id, type: 'artifact.projection_updated', payload, threadId: artifact.thread_id, recordedAt: now },
    ]);
    // The journal holds the redacted payload; answer what the read model now holds.
    return toProjection((await ctx.get<ProjectionRow>(`SELECT ${PROJECTION_COLUMNS} FROM artifact_projection WHERE version_id = ? AND kind = ?`, [p.version_id, p.kind]))!);
  });
}

function checkContent(p: RecordProjectionParams): void {
  const bad = (message: string) => new CairnError('invalid_params', `artifacts.recordProjection: ${message}`, { details: { kind: p.kind, status: p.status } });
  if (p.text !== undefined && textBytes(p.text) > LIMITS.artifact.projectionTextMaxBytes) {
    throw new CairnError('payload_too_large', 'projection text is larger than the limit', { details: { limit: LIMITS.artifact.projectionTextMaxBytes } });
  }
  if (p.summary !== undefined && textBytes(JSON.stringify(p.summary) ?? '') > LIMITS.artifact.projectionSummaryMaxBytes) {
    throw new CairnError('payload_too_large', 'projection summary is larger than the limit', { details: { limit: LIMITS.artifact.projectionSummaryMaxBytes } });
  }
  if (p.status === 'failed' && p.error === undefined) throw bad('a failed projection names its error');
  if (p.status !== 'ready') {
    if (p.text !== undefined || p.blob_sha256 !== undefined || p.summary !== undefined) throw bad('only a ready projection carries content');
    return;
  }
  const needs: Record<ProjectionKind, boolean> = {
    plain_text: p.text !== undefined,
    pdf_text: p.text !== undefined,
    thumbnail: p.blob_sha256 !== undefined,
    json_summary: p.summary !== undefined,
  };
  if (!needs[p.kind]) throw bad(`a ready ${p.kind} projection carries its content`);
}
