import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { ArtifactBindingInput, ArtifactKind, ArtifactRef, ArtifactSourceKind } from '@cairn/protocol';
import { hasErrorCode } from '@cairn/protocol';
import type { CrudStore } from '@cairn/crud';
import type { ArtifactBlobStore, PutResult } from '../blobs/blob-store.js';
import { artifactError } from '../errors.js';
import { assertId, assertSha256 } from '../ids.js';
import { resolveInsideRoot } from '../paths/resolve-inside-root.js';
import { validateArtifactName } from '../paths/validate-artifact-name.js';
import { mediaTypeFromName, projectionKindsFor } from '../projections/media-types.js';
import { kindFromMediaType } from './artifact-kind.js';
import type { ArtifactServiceSettings } from './settings.js';

/** What every ingestion names: the workspace, the file's metadata, and where it is bound. */
export interface IngestMeta {
  workspace_id: string;
  /** A new version of this artifact; absent: a new artifact. */
  artifact_id?: string;
  name: string;
  /** Default: guessed from the name. */
  mime_type?: string;
  /** Default: inferred from the media type. */
  kind?: ArtifactKind;
  source_kind: ArtifactSourceKind;
  bindings?: ArtifactBindingInput[];
  /** The size announced before the bytes (an upload's, a file's): quotas are checked before a byte is written. */
  size_bytes?: number;
}

export interface IngestDeps {
  store: CrudStore;
  blobs: ArtifactBlobStore;
  settings: ArtifactServiceSettings;
  now: () => Date;
}

type Described = Required<Pick<IngestMeta, 'workspace_id' | 'name' | 'mime_type' | 'kind' | 'source_kind'>> & IngestMeta;

function describe(meta: IngestMeta): Described {
  assertId(meta.workspace_id, 'workspace_id');
  if (meta.artifact_id !== undefined) assertId(meta.artifact_id, 'artifact_id');
  const name = validateArtifactName(meta.name);
  const mime_type = meta.mime_type ?? mediaTypeFromName(name);
  return { ...meta, name, mime_type, kind: meta.kind ?? (kindFromMediaType(mime_type) as ArtifactKind) };
}

function quotaExceeded(quota: string, limit: number, used: number, requested: number) {
  return artifactError('quota_exceeded', `the ${quota} quota would be exceeded`, { quota, limit, used, requested });
}

/**
 * Refuses early what the quotas cannot take, before a byte is written (the store checks
 * again, authoritatively, in the transaction that makes the version visible).
 */
async function precheck(deps: IngestDeps, meta: Described, sha256?: string): Promise<void> {
  const { quotas } = deps.settings;
  const size = meta.size_bytes;
  if (size !== undefined && size > quotas.max_artifact_bytes) throw quotaExceeded('max_artifact_bytes', quotas.max_artifact_bytes, 0, size);
  const usage = await deps.store.artifacts.usage({ workspace_id: meta.workspace_id });
  if (meta.artifact_id === undefined && usage.files + 1 > quotas.workspace_artifact_files) {
    throw quotaExceeded('workspace_artifact_files', quotas.workspace_artifact_files, usage.files, 1);
  }
  // Bytes the workspace already stores (same digest) cost nothing: only a known digest can tell.
  const known = sha256 !== undefined && (await deps.store.artifacts.getBlob({ workspace_id: meta.workspace_id, sha256 })) !== null;
  if (size !== undefined && !known && usage.bytes + size > quotas.workspace_artifact_bytes) {
    throw quotaExceeded('workspace_artifact_bytes', quotas.workspace_artifact_bytes, usage.bytes, size);
  }
}

/** payload_too_large from the blob store's byte limit is the per-artifact quota here. */
function asQuota(deps: IngestDeps, error: unknown): unknown {
  if (hasErrorCode(error, 'payload_too_large')) {
    const limit = deps.settings.quotas.max_artifact_bytes;
    return quotaExceeded('max_artifact_bytes', limit, 0, limit + 1);
  }
  return error;
}

/**
 * Makes stored bytes visible as a version: one store transaction (metadata, quota usage,
 * events). If it fails (a quota, a missing thread), a blob this call created and nothing
 * references is removed again, so refused bytes never linger.
 */
async function record(deps: IngestDeps, meta: Described, put: PutResult): Promise<ArtifactRef> {
  try {
    return await deps.store.artifacts.recordVersion({
      workspace_id: meta.workspace_id,
      ...(meta.artifact_id === undefined ? {} : { artifact_id: meta.artifact_id }),
      sha256: put.sha256,
      size_bytes: put.size_bytes,
      name: meta.name,
      mime_type: meta.mime_type,
      kind: meta.kind,
      source_kind: meta.source_kind,
      bindings: meta.bindings ?? [],
      quotas: deps.settings.quotas,
      projections: projectionKindsFor({ mime_type: meta.mime_type, name: meta.name }),
    });
  } catch (error) {
    if (put.created) {
      // The failed transaction wrote no row: the file may go unless a row (another version's) already names it.
      const row = await deps.store.artifacts.getBlob({ workspace_id: meta.workspace_id, sha256: put.sha256 }).catch(() => undefined);
      if (row === null) await deps.blobs.delete(meta.workspace_id, put.sha256).catch(() => undefined);
    }
    throw error;
  }
}

export async function ingestSource(deps: IngestDeps, input: IngestMeta, source: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<ArtifactRef> {
  const bytes = source instanceof Uint8Array;
  const meta = describe(bytes ? { ...input, size_bytes: source.byteLength } : input);
  await precheck(deps, meta, bytes ? createHash('sha256').update(source).digest('hex') : undefined);
  let put: PutResult;
  try {
    put = await deps.blobs.put(meta.workspace_id, source, { max_bytes: deps.settings.quotas.max_artifact_bytes });
  } catch (error) {
    throw asQuota(deps, error);
  }
  return record(deps, meta, put);
}

/**
 * A file inside `root` (a workspace root): the path is validated (no `..`, not absolute, no
 * symlink out, the parent directories included), then the file is opened with O_NOFOLLOW and
 * copied from that descriptor, so a swap after the check cannot redirect the read.
 */
export async function ingestPath(deps: IngestDeps, input: Omit<IngestMeta, 'name'> & { name?: string; root: string; path: string }): Promise<ArtifactRef> {
  const real = await resolveInsideRoot(input.root, input.path);
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw artifactError('not_found', 'no such file inside the root', { path: input.path, reason: (error as NodeJS.ErrnoException).code }, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw artifactError('invalid_params', 'the path is not a regular file', { path: input.path, reason: 'not_a_file' });
    const { root: _root, path: _path, ...meta } = input;
    const stream = createReadStream('', { fd: handle.fd, autoClose: false, highWaterMark: 1024 * 1024, start: 0 });
    return await ingestSource(deps, { ...meta, name: input.name ?? basename(real), size_bytes: info.size }, stream);
  } finally {
    await handle.close();
  }
}

/** A finished upload temp: moved into its content address (no copy), then recorded. */
export async function ingestUpload(
  deps: IngestDeps,
  input: IngestMeta & { upload_id: string; sha256: string; size_bytes: number },
  options: { sha256_verified?: boolean } = {},
): Promise<ArtifactRef> {
  assertId(input.upload_id, 'upload_id');
  assertSha256(input.sha256);
  const meta = describe(input);
  await precheck(deps, meta, input.sha256);
  const size = await deps.blobs.uploads.size(meta.workspace_id, input.upload_id);
  if (size === undefined) throw artifactError('not_found', 'no upload temp for that upload', { upload_id: input.upload_id, reason: 'missing_temp' });
  if (size !== input.size_bytes) {
    throw artifactError('checksum_mismatch', 'the upload has another size than declared', { expected: input.size_bytes, actual: size });
  }
  const put = await deps.blobs.commitUpload(meta.workspace_id, input.upload_id, input.sha256, { verified: options.sha256_verified === true });
  return record(deps, meta, put);
}
