import type { ArtifactBlobRecord } from '@cairn/protocol';
import type { CrudStore } from '@cairn/crud';
import type { ArtifactBlobStore } from '../blobs/blob-store.js';
import type { LocalArtifactBlobStore } from '../blobs/local-blob-store.js';

/** One blob a plan would remove, and why it is an orphan. */
export interface GcOrphanBlob {
  workspace_id: string;
  sha256: string;
  size_bytes: number;
  /** `unreferenced_row`: a blob row nothing references; `file_without_row`: bytes on disk with no row (a crash between rename and commit). */
  reason: 'unreferenced_row' | 'file_without_row';
}

/** What `gcExecute` would do; `cairn artifacts gc --dry-run` prints it. */
export interface GcPlan {
  now: string;
  /** Nothing younger than this is collected. */
  older_than: string;
  orphan_blobs: GcOrphanBlob[];
  bytes_reclaimable: number;
  expired_external_refs: number;
  /** The plan stopped at its limit: run again for the rest. */
  truncated: boolean;
}

export interface GcReport {
  blobs_deleted: number;
  bytes_deleted: number;
  /** Planned blobs that turned out referenced (or young) when re-checked, and were kept. */
  blobs_kept: number;
  temps_removed: number;
  external_refs_pruned: number;
}

export interface GcDeps {
  store: CrudStore;
  blobs: ArtifactBlobStore;
  graceHours: number;
}

const cutoff = (now: Date, graceHours: number) => new Date(now.getTime() - graceHours * 3_600_000);
/** Blob rows read per page while listing them. */
const PAGE = 1_000;

/**
 * Plans a collection: blob rows nothing references and blob files with no row, both older
 * than the grace period (an ingest between its rename and its commit holds a young file), and
 * expired external refs. Reads only: nothing is removed.
 */
export async function gcPlan(deps: GcDeps, now: Date, limit = 10_000): Promise<GcPlan> {
  const olderThan = cutoff(now, deps.graceHours);
  const orphans: GcOrphanBlob[] = [];
  const unreferenced = await deps.store.artifacts.unreferencedBlobs({ older_than: olderThan.toISOString(), limit });
  for (const row of unreferenced) {
    const stat = await deps.blobs.stat(row.workspace_id, row.sha256);
    // A row whose file was touched recently (re-used by an ingest in flight) waits for the next run.
    if (stat !== undefined && stat.mtime >= olderThan) continue;
    orphans.push({ workspace_id: row.workspace_id, sha256: row.sha256, size_bytes: row.size_bytes, reason: 'unreferenced_row' });
  }
  const rows = await blobRowSet(deps.store);
  let truncated = unreferenced.length >= limit;
  for await (const file of deps.blobs.list()) {
    if (orphans.length >= limit) {
      truncated = true;
      break;
    }
    if (file.mtime >= olderThan || rows.has(`${file.workspace_id}/${file.sha256}`)) continue;
    orphans.push({ workspace_id: file.workspace_id, sha256: file.sha256, size_bytes: file.size_bytes, reason: 'file_without_row' });
  }
  const expired = await deps.store.artifacts.expiredExternalRefs({ now: now.toISOString(), limit });
  return {
    now: now.toISOString(),
    older_than: olderThan.toISOString(),
    orphan_blobs: orphans,
    bytes_reclaimable: orphans.reduce((n, o) => n + o.size_bytes, 0),
    expired_external_refs: expired.length,
    truncated,
  };
}

/**
 * Executes a plan, re-checking every blob at the moment of deletion: a row is deleted only by
 * `deleteBlobIfUnreferenced`, which re-checks in its own transaction that no version, open
 * upload session or projection references it; the file goes only after that, and only if it
 * is still older than the grace period. A file without a row goes only if there is still no row.
 */
export async function gcExecute(deps: GcDeps, plan: GcPlan, now: Date): Promise<GcReport> {
  const olderThan = cutoff(now, deps.graceHours);
  const report: GcReport = { blobs_deleted: 0, bytes_deleted: 0, blobs_kept: 0, temps_removed: 0, external_refs_pruned: 0 };
  for (const orphan of plan.orphan_blobs) {
    const stat = await deps.blobs.stat(orphan.workspace_id, orphan.sha256);
    if (stat !== undefined && stat.mtime >= olderThan) {
      report.blobs_kept++;
      continue;
    }
    const free =
      orphan.reason === 'unreferenced_row'
        ? await deps.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: orphan.workspace_id, sha256: orphan.sha256 })
        : !(await hasRow(deps.store, orphan.workspace_id, orphan.sha256));
    if (!free) {
      report.blobs_kept++;
      continue;
    }
    if (await deps.blobs.delete(orphan.workspace_id, orphan.sha256)) {
      report.blobs_deleted++;
      report.bytes_deleted += stat?.size_bytes ?? 0;
    }
  }
  const local = deps.blobs as Partial<LocalArtifactBlobStore>;
  if (typeof local.removeStaleTemps === 'function') report.temps_removed = await local.removeStaleTemps(olderThan);
  report.external_refs_pruned = (await deps.store.artifacts.pruneExternalRefs({ now: now.toISOString() })).pruned;
  return report;
}

async function hasRow(store: CrudStore, workspaceId: string, sha256: string): Promise<boolean> {
  return (await store.artifacts.getBlob({ workspace_id: workspaceId, sha256 })) !== null;
}

async function blobRowSet(store: CrudStore): Promise<Set<string>> {
  const rows = new Set<string>();
  for await (const row of allBlobRows(store)) rows.add(`${row.workspace_id}/${row.sha256}`);
  return rows;
}

/** Every blob row, page by page in (workspace, sha256) order. */
export async function* allBlobRows(store: CrudStore): AsyncIterable<ArtifactBlobRecord> {
  let after: { workspace_id: string; sha256: string } | undefined;
  for (;;) {
    const page = await store.artifacts.blobRows({ limit: PAGE, ...(after ? { after } : {}) });
    yield* page;
    if (page.length < PAGE) return;
    const last = page[page.length - 1]!;
    after = { workspace_id: last.workspace_id, sha256: last.sha256 };
  }
}
