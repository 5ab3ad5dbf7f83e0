import type { ArtifactBlobStore } from '../blobs/blob-store.js';

import type { ProjectionKind } from '@cairn/protocol';

/** The derived views the service computes (protocol's ProjectionKind). */
export type ProjectionKindName = ProjectionKind;

/** The version a projection is computed from. */
export interface ProjectionSource {
  workspace_id: string;
  sha256: string;
  size_bytes: number;
  mime_type: string;
  name: string;
}

/**
 * A projection's result, shaped for the store's `recordProjection`: `ready` with its text,
 * blob or summary; `skipped` when the version does not qualify (too large, not decodable);
 * `failed` with a message. Never thrown: a projection cannot fail its artifact.
 */
export interface ProjectionOutcome {
  status: 'ready' | 'failed' | 'skipped';
  text?: string;
  blob_sha256?: string;
  /** The size of `blob_sha256`'s bytes (the store records the derived blob's row). */
  blob_size_bytes?: number;
  summary?: Record<string, unknown>;
  error?: string;
}

export type Projector = (source: ProjectionSource, blobs: ArtifactBlobStore) => Promise<ProjectionOutcome>;

/** Limits of the projections (ISSUE 13): text inline up to 256 KB, thumbnails of images up to 64 MB. */
export const PROJECTION_LIMITS = Object.freeze({
  plainTextBytes: 256 * 1024,
  thumbnailSourceBytes: 64 * 1024 * 1024,
  thumbnailEdge: 256,
  thumbnailInputPixels: 100_000_000,
  jsonSummarySourceBytes: 8 * 1024 * 1024,
  jsonSummaryDepth: 4,
  jsonSummaryKeys: 64,
  jsonSummaryItems: 100,
  pdfSourceBytes: 64 * 1024 * 1024,
  pdfTextBytes: 256 * 1024,
});
