// The public surface of @cairn/artifacts: the blob store (interface and the local one),
// path and name validation, projections, and the ArtifactService over CrudStore.
export type {
  ArtifactBlobStore,
  BlobEntry,
  BlobStat,
  OpenOptions,
  PutOptions,
  PutResult,
  UploadEntry,
  UploadTemp,
  UploadTemps,
  VerifyOutcome,
} from './blobs/blob-store.js';
export { LocalArtifactBlobStore, type BlobWriteStep, type LocalArtifactBlobStoreOptions } from './blobs/local-blob-store.js';
export { resolveInsideRoot } from './paths/resolve-inside-root.js';
export { MAX_ARTIFACT_NAME_BYTES, validateArtifactName } from './paths/validate-artifact-name.js';
export { PROJECTION_LIMITS, type ProjectionKindName, type ProjectionOutcome, type ProjectionSource, type Projector } from './projections/projection-types.js';
export { PROJECTORS } from './projections/projectors.js';
export { isJson, isPdf, isRasterImage, isTextLike, mediaTypeFromName, projectionKindsFor } from './projections/media-types.js';
export { summarizeJson, type JsonShape } from './projections/json-summary.js';
export { cutUtf8 } from './projections/utf8-cut.js';
export { ArtifactService, type ArtifactServiceOptions, type ReadParams } from './service/artifact-service.js';
export type { ArtifactServiceSettings } from './service/settings.js';
export type { IngestMeta } from './service/ingest.js';
export type { ReadTextParams } from './service/read-text.js';
export { CaptureSession, CAPTURE_SCAN_MAX_ENTRIES, type BeginCaptureParams, type CaptureCandidateMeta, type CaptureReport } from './capture/capture-session.js';
export { compileIgnore } from './capture/ignore-list.js';
export type { GcOrphanBlob, GcPlan, GcReport } from './service/gc.js';
export { verifyBlobRows, type BlobRowRef, type VerifyBlobsProgress, type VerifyBlobsReport } from './service/verify-blobs.js';
export type { ProjectionRunReport } from './service/projection-runner.js';
export type { PruneUploadsReport } from './service/uploads.js';
export { kindFromMediaType } from './service/artifact-kind.js';
export { workingDirectory } from './paths/working-directory.js';
