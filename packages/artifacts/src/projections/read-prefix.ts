import { buffer } from 'node:stream/consumers';
import type { ArtifactBlobStore } from '../blobs/blob-store.js';
import type { ProjectionSource } from './projection-types.js';

/** The first `bytes` bytes of a version (all of it when smaller), read as a range: never the whole blob. */
export async function readPrefix(blobs: ArtifactBlobStore, source: ProjectionSource, bytes: number): Promise<Buffer> {
  if (source.size_bytes === 0) return Buffer.alloc(0);
  const end = Math.min(source.size_bytes, bytes) - 1;
  return buffer(await blobs.open(source.workspace_id, source.sha256, { start: 0, end }));
}
