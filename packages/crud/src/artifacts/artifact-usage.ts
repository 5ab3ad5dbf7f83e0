import {
  CairnError,
  DEFAULT_ARTIFACT_QUOTAS,
  type ArtifactQuotas,
  type ArtifactUsage,
  type WorkspaceQuotaName,
  type WorkspaceQuotaWarningPayload,
} from '@cairn/protocol';
import type { ReadContext, StoreContext, WriteContext } from '../store/store-context.js';
import { quotaStreamId, type ArtifactEventInput } from './artifact-deps.js';

/*
 * Per-workspace usage counters (`artifact_usage`): `bytes` of the workspace's blob rows,
 * `files` of its artifacts not deleted. Bookkeeping kept in the transaction that changes what
 * they count; `recomputeUsage` (repair) derives them from the rows again.
 */

export async function readUsage(q: ReadContext, workspaceId: string): Promise<ArtifactUsage> {
  const row = await q.get<{ bytes: number; files: number }>('SELECT bytes, files FROM artifact_usage WHERE workspace_id = ?', [workspaceId]);
  return { workspace_id: workspaceId, bytes: Number(row?.bytes ?? 0), files: Number(row?.files ?? 0) };
}

export async function addUsage(ctx: WriteContext, workspaceId: string, bytes: number, files: number, now: string): Promise<void> {
  if (bytes === 0 && files === 0) return;
  await ctx.run(
    'INSERT INTO artifact_usage (workspace_id, bytes, files, updated_at) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (workspace_id) DO UPDATE SET bytes = artifact_usage.bytes + excluded.bytes, files = artifact_usage.files + excluded.files, updated_at = excluded.updated_at',
    [workspaceId, bytes, files, now],
  );
}

/** What the rows say the counters should be. */
export async function countUsage(q: ReadContext, workspaceId: string): Promise<ArtifactUsage> {
  const bytes = await q.get<{ n: number | null }>('SELECT sum(size_bytes) AS n FROM artifact_blob WHERE workspace_id = ?', [workspaceId]);
  const files = await q.get<{ n: number }>("SELECT count(*) AS n FROM artifact WHERE workspace_id = ? AND status <> 'deleted'", [workspaceId]);
  return { workspace_id: workspaceId, bytes: Number(bytes?.n ?? 0), files: Number(files?.n ?? 0) };
}

export function quotasOf(quotas: ArtifactQuotas | undefined): ArtifactQuotas {
  return quotas ?? DEFAULT_ARTIFACT_QUOTAS;
}

function exceeded(quota: WorkspaceQuotaName, limit: number, used: number, requested: number, workspaceId: string): CairnError {
  return new CairnError('quota_exceeded', `${quota} would be exceeded: ${used} used + ${requested} requested > ${limit}`, {
    details: { workspace_id: workspaceId, quota, limit, used, requested },
  });
}

/** Refuses a single version larger than `max_artifact_bytes`. */
export function checkArtifactSize(quotas: ArtifactQuotas, workspaceId: string, size: number): void {
  if (size > quotas.max_artifact_bytes) throw exceeded('max_artifact_bytes', quotas.max_artifact_bytes, 0, size, workspaceId);
}

/**
 * Checks a change of usage against the workspace quotas (`quota_exceeded`, before anything is
 * written; not with `refuse: false`, for derived bytes) and answers the warning events it causes: one per workspace quota whose usage
 * crosses `warn_at_fraction` of its limit upward with this change.
 */
export function checkUsageChange(
  quotas: ArtifactQuotas,
  before: ArtifactUsage,
  delta: { bytes: number; files: number },
  now: string,
  options: { refuse?: boolean } = {},
): ArtifactEventInput[] {
  const ws = before.workspace_id;
  const checks: Array<[WorkspaceQuotaName, number, number, number]> = [
    ['workspace_artifact_bytes', quotas.workspace_artifact_bytes, before.bytes, delta.bytes],
    ['workspace_artifact_files', quotas.workspace_artifact_files, before.files, delta.files],
  ];
  const warnings: ArtifactEventInput[] = [];
  for (const [quota, limit, used, requested] of checks) {
    if (requested <= 0) continue;
    if (used + requested > limit && options.refuse !== false) throw exceeded(quota, limit, used, requested, ws);
    const threshold = quotas.warn_at_fraction * limit;
    if (used < threshold && used + requested >= threshold) {
      const payload: WorkspaceQuotaWarningPayload = { quota, limit, used: used + requested, warn_at_fraction: quotas.warn_at_fraction };
      warnings.push({ streamId: quotaStreamId(ws), type: 'workspace.quota_warning', payload, threadId: null, recordedAt: now });
    }
  }
  return warnings;
}

/** What `repairUsage` found and fixed: workspaces whose counters disagreed with their rows. */
export interface UsageRepairReport {
  detected: number;
  repaired: number;
  remaining: number;
}

/**
 * Recomputes every workspace's counters from its rows (blob rows for bytes, artifacts not
 * deleted for files) and fixes those that drifted (a crash cannot cause drift, since counters
 * commit with their rows; a hand edit or an old bug can). One transaction per workspace, under
 * its lock. Reported like the other repairs.
 */
export async function repairUsage(context: StoreContext): Promise<UsageRepairReport> {
  const workspaces = await context.read((q) => q.all<{ workspace_id: string }>('SELECT workspace_id FROM workspace ORDER BY workspace_id'));
  const report: UsageRepairReport = { detected: 0, repaired: 0, remaining: 0 };
  for (const { workspace_id } of workspaces) {
    const fixed = await context.write(async (ctx) => {
      await ctx.dialect.lockWorkspace(ctx, workspace_id);
      const [have, want] = [await readUsage(ctx, workspace_id), await countUsage(ctx, workspace_id)];
      if (have.bytes === want.bytes && have.files === want.files) return false;
      await addUsage(ctx, workspace_id, want.bytes - have.bytes, want.files - have.files, context.now());
      return true;
    });
    if (fixed) {
      report.detected++;
      report.repaired++;
    }
  }
  return report;
}
