import type { CrudStore } from '@cairn/crud';
import type { ArtifactBlobStore } from '../blobs/blob-store.js';
import { allBlobRows } from './gc.js';

export interface VerifyBlobsProgress {
  checked: number;
  total: number;
  bytes_checked: number;
  bytes_total: number;
}

export interface BlobRowRef {
  workspace_id: string;
  sha256: string;
  size_bytes: number;
}

export interface VerifyBlobsReport {
  checked: number;
  ok: number;
  bytes_checked: number;
  missing: BlobRowRef[];
  corrupt: BlobRowRef[];
}

/**
 * Re-hashes the blob of every row given (the rows are the truth: a row whose file is gone is
 * `missing`, a file whose bytes no longer hash to its name, or have another size, is
 * `corrupt`), reporting progress after each blob. Reads only. `cairn verify` passes the rows
 * it read in its own snapshot; `ArtifactService.verifyBlobs` the store's.
 */
export async function verifyBlobRows(rows: readonly BlobRowRef[], blobs: ArtifactBlobStore, onProgress?: (p: VerifyBlobsProgress) => void): Promise<VerifyBlobsReport> {
  const bytesTotal = rows.reduce((n, r) => n + r.size_bytes, 0);
  const report: VerifyBlobsReport = { checked: 0, ok: 0, bytes_checked: 0, missing: [], corrupt: [] };
  onProgress?.({ checked: 0, total: rows.length, bytes_checked: 0, bytes_total: bytesTotal });
  for (const row of rows) {
    let outcome = await blobs.verify(row.workspace_id, row.sha256);
    if (outcome === 'ok' && (await blobs.stat(row.workspace_id, row.sha256))?.size_bytes !== row.size_bytes) outcome = 'corrupt';
    if (outcome === 'ok') report.ok++;
    else report[outcome].push({ workspace_id: row.workspace_id, sha256: row.sha256, size_bytes: row.size_bytes });
    report.checked++;
    report.bytes_checked += row.size_bytes;
    onProgress?.({ checked: report.checked, total: rows.length, bytes_checked: report.bytes_checked, bytes_total: bytesTotal });
  }
  return report;
}

/** Every blob row of the store, re-hashed (`verifyBlobRows`). */
export async function verifyBlobs(store: CrudStore, blobs: ArtifactBlobStore, onProgress?: (p: VerifyBlobsProgress) => void): Promise<VerifyBlobsReport> {
  const rows: BlobRowRef[] = [];
  for await (const row of allBlobRows(store)) rows.push({ workspace_id: row.workspace_id, sha256: row.sha256, size_bytes: Number(row.size_bytes) });
  return verifyBlobRows(rows, blobs, onProgress);
}
