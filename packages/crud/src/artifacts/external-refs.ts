import {
  GetExternalRefParams,
  PruneExternalRefsParams,
  PutExternalRefParams,
  type ArtifactExternalRef,
  type ExternalRefKey,
  type TransportKind,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { ReadContext, StoreContext } from '../store/store-context.js';
import { normalizeTimestamp } from '../turn-records/record-values.js';
import { requireArtifact, requireVersion } from './artifact-rows.js';

/*
 * Provider external refs (`artifact_external_ref`): where a provider already holds a copy of
 * an artifact, so it is not uploaded again. Bookkeeping, not journaled (a cache: losing one
 * costs an upload). Keyed by (workspace, artifact, version, provider, model family, transport
 * kind), `''` standing for an absent version or model family.
 */

interface ExternalRefRow {
  workspace_id: string;
  artifact_id: string;
  version_key: string;
  provider: string;
  model_family: string;
  transport_kind: string;
  external_id: string;
  created_at: string;
  expires_at: string | null;
}

const COLUMNS = 'workspace_id, artifact_id, version_key, provider, model_family, transport_kind, external_id, created_at, expires_at';
const KEY = 'workspace_id = ? AND artifact_id = ? AND version_key = ? AND provider = ? AND model_family = ? AND transport_kind = ?';
const keyArgs = (k: ExternalRefKey) => [k.workspace_id, k.artifact_id, k.version_id ?? '', k.provider, k.model_family ?? '', k.transport_kind];

function toExternalRef(row: ExternalRefRow): ArtifactExternalRef {
  return {
    workspace_id: row.workspace_id,
    artifact_id: row.artifact_id,
    version_id: row.version_key === '' ? null : row.version_key,
    provider: row.provider,
    model_family: row.model_family === '' ? null : row.model_family,
    transport_kind: row.transport_kind as TransportKind,
    external_id: row.external_id,
    created_at: row.created_at,
    expires_at: row.expires_at,
  };
}

async function requireTarget(q: ReadContext, k: ExternalRefKey): Promise<void> {
  await requireArtifact(q, k.workspace_id, k.artifact_id);
  if (k.version_id !== undefined) await requireVersion(q, k.workspace_id, k.version_id, k.artifact_id);
}

/** Records (or replaces) the provider's copy under its key. The artifact (and version) must be the workspace's. */
export async function putExternalRef(context: StoreContext, params: PutExternalRefParams): Promise<ArtifactExternalRef> {
  const p = parseParams(PutExternalRefParams, params, 'artifacts.putExternalRef');
  const expires = p.expires_at === undefined ? null : normalizeTimestamp(p.expires_at, 'expires_at');
  return context.write(async (ctx) => {
    await requireTarget(ctx, p);
    const now = context.now();
    await ctx.run(`DELETE FROM artifact_external_ref WHERE ${KEY}`, keyArgs(p));
    await ctx.run(`INSERT INTO artifact_external_ref (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [...keyArgs(p), p.external_id, now, expires]);
    return toExternalRef({
      workspace_id: p.workspace_id,
      artifact_id: p.artifact_id,
      version_key: p.version_id ?? '',
      provider: p.provider,
      model_family: p.model_family ?? '',
      transport_kind: p.transport_kind,
      external_id: p.external_id,
      created_at: now,
      expires_at: expires,
    });
  });
}

/** The ref under exactly this key, or null; an expired one (at `now`, default the store's clock) is ignored. */
export async function getExternalRef(context: StoreContext, params: GetExternalRefParams): Promise<ArtifactExternalRef | null> {
  const p = parseParams(GetExternalRefParams, params, 'artifacts.getExternalRef');
  const now = p.now === undefined ? context.now() : normalizeTimestamp(p.now, 'now');
  return context.read(async (q) => {
    await requireTarget(q, p);
    const row = await q.get<ExternalRefRow>(`SELECT ${COLUMNS} FROM artifact_external_ref WHERE ${KEY} AND (expires_at IS NULL OR expires_at > ?)`, [...keyArgs(p), now]);
    return row ? toExternalRef(row) : null;
  });
}

/** Expired refs (at `now`), oldest expiry first: what a GC plan lists. */
export async function expiredExternalRefs(context: StoreContext, params: PruneExternalRefsParams): Promise<ArtifactExternalRef[]> {
  const p = parseParams(PruneExternalRefsParams, params, 'artifacts.expiredExternalRefs');
  const now = normalizeTimestamp(p.now, 'now');
  const rows = await context.read((q) =>
    q.all<ExternalRefRow>(`SELECT ${COLUMNS} FROM artifact_external_ref WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`, [now, p.limit ?? 1000]),
  );
  return rows.map(toExternalRef);
}

/** Deletes up to `limit` (default 1000) refs expired at `now`, every workspace; answers how many went. */
export async function pruneExternalRefs(context: StoreContext, params: PruneExternalRefsParams): Promise<{ pruned: number }> {
  const p = parseParams(PruneExternalRefsParams, params, 'artifacts.pruneExternalRefs');
  const now = normalizeTimestamp(p.now, 'now');
  return context.write(async (ctx) => {
    const rows = await ctx.all<ExternalRefRow>(`SELECT ${COLUMNS} FROM artifact_external_ref WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`, [now, p.limit ?? 1000]);
    let pruned = 0;
    for (const r of rows) {
      // Re-stated: a ref renewed since the read is not pruned.
      const { changes } = await ctx.run(`DELETE FROM artifact_external_ref WHERE ${KEY} AND expires_at IS NOT NULL AND expires_at <= ?`, [
        r.workspace_id, r.artifact_id, r.version_key, r.provider, r.model_family, r.transport_kind, now,
      ]);
      pruned += changes;
    }
    return { pruned };
  });
}
