import {
  CairnError,
  RecordArtifactVersionParams,
  type Artifact,
  type ArtifactCreatedPayload,
  type ArtifactKind,
  type ArtifactRef,
  type ArtifactVersion,
  type ArtifactVersionAddedPayload,
  type ProjectionKind,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { WriteContext } from '../port/types.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { appendArtifactEvents, type ArtifactDeps, type ArtifactEventInput } from './artifact-deps.js';
import { assertArtifactStatus, bindingKeyOf, findArtifactAnywhere, findVersionAnywhere, toArtifact, type VersionRow } from './artifact-rows.js';
import { addUsage, checkArtifactSize, checkUsageChange, quotasOf, readUsage } from './artifact-usage.js';
import { boundEvent, findSameBinding, resolveBinding } from './bind-artifact.js';

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-yaml|yaml|toml|x-sh|sql|csv|x-ndjson)\b|[^/]+\/[^;]*\+(json|xml)\b)/i;

/**
 * The projections a version gets when the caller names none: `plain_text` for text-like
 * files, `thumbnail` for images, `json_summary` for JSON, `pdf_text` for PDFs. Whether one
 * then applies (size, decodability) is the projection worker's call (`skipped`).
 */
export function defaultProjectionKinds(kind: ArtifactKind, mimeType: string): ProjectionKind[] {
  const mime = mimeType.toLowerCase();
  const kinds: ProjectionKind[] = [];
  if (kind === 'text' || kind === 'code' || kind === 'json' || TEXT_TYPES.test(mime)) kinds.push('plain_text');
  if (kind === 'image' || kind === 'screenshot' || mime.startsWith('image/')) kinds.push('thumbnail');
  if (kind === 'json' || /^application\/(json|[^;]*\+json)\b/.test(mime)) kinds.push('json_summary');
  if (kind === 'pdf' || mime.startsWith('application/pdf')) kinds.push('pdf_text');
  return kinds;
}

export const refOf = (v: ArtifactVersion): ArtifactRef => ({
  artifact_id: v.artifact_id,
  version_id: v.version_id,
  workspace_id: v.workspace_id,
  sha256: v.sha256,
  size_bytes: v.size_bytes,
  name: v.name,
  mime_type: v.mime_type,
  kind: v.kind,
});

const conflict = (message: string, details: Record<string, unknown>) => new CairnError('conflict', message, { details });

/**
 * Records a version whose bytes the blob store holds, in one transaction: the blob row
 * (identical bytes in a workspace are one row) and the usage counters, the quota check
 * (`quota_exceeded`: nothing written), `artifact.created` or `artifact.version_added`, one
 * `artifact.bound` per binding, `workspace.quota_warning` when usage crosses the warning
 * threshold, and the pending projection rows. A client-chosen `version_id` recorded again with
 * the same declaration answers the first version and writes nothing (a retried ingest).
 */
export async function recordVersion(deps: ArtifactDeps, params: RecordArtifactVersionParams): Promise<ArtifactRef> {
  const p = parseParams(RecordArtifactVersionParams, params, 'artifacts.recordVersion');
  const quotas = quotasOf(p.quotas);
  checkArtifactSize(quotas, p.workspace_id, p.size_bytes);
  const name = deps.context.redactText(p.name);
  const artifactId = p.artifact_id ?? deps.context.newId('art');
  const versionId = p.version_id ?? deps.context.newId('ver');
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireWorkspace(ctx, p.workspace_id);
    const repeat = await findVersionAnywhere(ctx, versionId);
    if (repeat) return answerRepeat(repeat, { ...p, name });
    const existing = await findArtifactAnywhere(ctx, artifactId);
    if (existing && existing.workspace_id !== p.workspace_id) throw conflict('artifact id is not available', { artifact_id: artifactId });
    if (existing) assertArtifactStatus(existing, ['ready', 'pending', 'quarantined', 'failed'], 'add a version to');
    const now = deps.context.now();

    const blobIsNew = await claimBlob(ctx, p.workspace_id, p.sha256, p.size_bytes, now);
    const usage = await readUsage(ctx, p.workspace_id);
    const delta = { bytes: blobIsNew ? p.size_bytes : 0, files: existing ? 0 : 1 };
    const warnings = checkUsageChange(quotas, usage, delta, now);

    const version: ArtifactVersion = {
      version_id: versionId,
      artifact_id: artifactId,
      workspace_id: p.workspace_id,
      version_number: existing ? existing.version_count + 1 : 1,
      sha256: p.sha256,
      size_bytes: p.size_bytes,
      name,
      mime_type: p.mime_type,
      kind: p.kind,
      source_kind: p.source_kind,
      created_at: now,
    };
    const bindings = [];
    const keys = new Set<string>();
    for (const input of p.bindings ?? []) {
      const binding = await resolveBinding(ctx, deps, input, version, now);
      const key = bindingKeyOf(binding);
      if (keys.has(key) || (existing && (await findSameBinding(ctx, binding)))) continue;
      keys.add(key);
      bindings.push(binding);
    }
    const threadId = existing?.thread_id ?? bindings.find((b) => b.thread_id !== null)?.thread_id ?? null;
    const artifact: Artifact = {
      ...(existing ? toArtifact(existing) : { created_at: now, deleted_at: null }),
      artifact_id: artifactId,
      workspace_id: p.workspace_id,
      name,
      kind: p.kind,
      mime_type: p.mime_type,
      status: 'ready',
      source_kind: existing ? (existing.source_kind as Artifact['source_kind']) : p.source_kind,
      current_version_id: versionId,
      version_count: version.version_number,
      sha256: p.sha256,
      size_bytes: p.size_bytes,
      thread_id: threadId,
      updated_at: now,
    };
    const projections = [...new Set(p.projections ?? defaultProjectionKinds(p.kind, p.mime_type))];
    const head: ArtifactEventInput = existing
      ? { streamId: artifactId, type: 'artifact.version_added', payload: { change: 'version_added', artifact, version, projections } satisfies ArtifactVersionAddedPayload, threadId, recordedAt: now }
      : { streamId: artifactId, type: 'artifact.created', payload: { artifact, version, projections } satisfies ArtifactCreatedPayload, threadId, recordedAt: now };

    await addUsage(ctx, p.workspace_id, delta.bytes, delta.files, now);
    await appendArtifactEvents(ctx, deps, p.workspace_id, [head, ...bindings.map(boundEvent), ...warnings]);
    return refOf(version);
  });
}

/**
 * Upserts the blob row; true when the workspace did not have these bytes yet (the quota counts
 * them). A row with the same hash and another size is impossible for honest bytes: refused.
 */
async function claimBlob(ctx: WriteContext, workspaceId: string, sha256: string, size: number, now: string): Promise<boolean> {
  const row = await ctx.get<{ size_bytes: number }>('SELECT size_bytes FROM artifact_blob WHERE workspace_id = ? AND sha256 = ?', [workspaceId, sha256]);
  if (row) {
    if (Number(row.size_bytes) !== size) {
      throw new CairnError('invalid_params', 'the blob is recorded with another size', { details: { sha256, size_bytes: size, recorded_size_bytes: Number(row.size_bytes) } });
    }
    return false;
  }
  await ctx.run('INSERT INTO artifact_blob (workspace_id, sha256, size_bytes, created_at, verified_at) VALUES (?, ?, ?, ?, ?)', [workspaceId, sha256, size, now, now]);
  return true;
}

function answerRepeat(v: VersionRow, p: RecordArtifactVersionParams): ArtifactRef {
  const same =
    v.workspace_id === p.workspace_id &&
    (p.artifact_id === undefined || v.artifact_id === p.artifact_id) &&
    v.sha256 === p.sha256 &&
    Number(v.size_bytes) === p.size_bytes &&
    v.name === p.name &&
    v.mime_type === p.mime_type &&
    v.kind === p.kind;
  if (!same) throw conflict('version id is not available', { version_id: v.version_id });
  return refOf({ ...v, size_bytes: Number(v.size_bytes), version_number: Number(v.version_number) } as ArtifactVersion);
}
