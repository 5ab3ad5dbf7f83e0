import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ArtifactReadResult, ArtifactRef } from '@cairn/protocol';
import type { CrudStore } from '@cairn/crud';
import type { ArtifactBlobStore, OpenOptions } from '../blobs/blob-store.js';
import { CaptureSession, type BeginCaptureParams } from '../capture/capture-session.js';
import { artifactError } from '../errors.js';
import { assertId } from '../ids.js';
import { gcExecute, gcPlan, type GcPlan, type GcReport } from './gc.js';
import { ingestPath, ingestSource, ingestUpload, type IngestDeps, type IngestMeta } from './ingest.js';
import { runPendingProjections, type ProjectionRunReport } from './projection-runner.js';
import { readText, type ReadTextParams } from './read-text.js';
import type { ArtifactServiceSettings } from './settings.js';
import { pruneExpiredUploads, type PruneUploadsReport } from './uploads.js';
import { verifyBlobs, type VerifyBlobsProgress, type VerifyBlobsReport } from './verify-blobs.js';

export interface ArtifactServiceOptions {
  store: CrudStore;
  blobs: ArtifactBlobStore;
  settings: ArtifactServiceSettings;
  /** Time for records, grace periods and claims (tests drive it). */
  clock?: () => Date;
  /** Names this process in projection claims (default a random one). */
  owner?: string;
}

/** Which version `read` streams. */
export interface ReadParams {
  workspace_id: string;
  artifact_id: string;
  version_id?: string;
}

/**
 * The artifact layer over `CrudStore` (metadata, events, quotas) and an `ArtifactBlobStore`
 * (bytes): ingestion from bytes, streams, paths inside a root and upload temps; reads;
 * capture sessions; projections; GC; blob verification; upload temp pruning. Every method
 * validates its workspace id first, and an id never becomes a path outside the blob store.
 */
export class ArtifactService {
  readonly store: CrudStore;
  readonly blobs: ArtifactBlobStore;
  readonly settings: ArtifactServiceSettings;
  readonly #now: () => Date;
  readonly #owner: string;

  constructor(options: ArtifactServiceOptions) {
    this.store = options.store;
    this.blobs = options.blobs;
    this.settings = options.settings;
    this.#now = options.clock ?? (() => new Date());
    this.#owner = options.owner ?? `artifacts-${randomUUID()}`;
  }

  get #deps(): IngestDeps {
    return { store: this.store, blobs: this.blobs, settings: this.settings, now: this.#now };
  }

  /** Bytes in memory → a new artifact (or a new version of `artifact_id`). */
  ingestBytes(meta: IngestMeta, bytes: Uint8Array): Promise<ArtifactRef> {
    return ingestSource(this.#deps, meta, bytes);
  }

  /** A stream, hashed while written: memory stays flat whatever its size. */
  ingestStream(meta: IngestMeta, stream: Readable | AsyncIterable<Uint8Array>): Promise<ArtifactRef> {
    return ingestSource(this.#deps, meta, stream);
  }

  /** A file inside `root`, the path validated (`resolveInsideRoot`); the name defaults to the file's. */
  ingestPath(input: Omit<IngestMeta, 'name'> & { name?: string; root: string; path: string }): Promise<ArtifactRef> {
    return ingestPath(this.#deps, input);
  }

  /** A finished upload temp (`blobs.uploads`), moved into place; `sha256_verified`: the caller hashed every byte it wrote. */
  ingestUpload(input: IngestMeta & { upload_id: string; sha256: string; size_bytes: number }, options: { sha256_verified?: boolean } = {}): Promise<ArtifactRef> {
    return ingestUpload(this.#deps, input, options);
  }

  /** A version's bytes (the current version unless named), optionally a range and verified. */
  async read(params: ReadParams, options: OpenOptions = {}): Promise<{ version: ArtifactRef; stream: Readable }> {
    assertId(params.workspace_id, 'workspace_id');
    const { version } = await this.store.artifacts.get({
      workspace_id: params.workspace_id,
      artifact_id: params.artifact_id,
      ...(params.version_id === undefined ? {} : { version_id: params.version_id }),
    });
    if (version.workspace_id !== params.workspace_id) throw artifactError('not_found', 'no such artifact in the workspace', { artifact_id: params.artifact_id });
    const stream = await this.blobs.open(version.workspace_id, version.sha256, options);
    return { version: toRef(version), stream };
  }

  /** Small text inline, for `artifact/read`. */
  readText(params: ReadTextParams): Promise<ArtifactReadResult> {
    assertId(params.workspace_id, 'workspace_id');
    return readText(this.store, this.blobs, params);
  }

  /** Starts a turn's capture: snapshots the roots now, so `complete()` can tell new files. */
  beginCapture(params: BeginCaptureParams): Promise<CaptureSession> {
    return CaptureSession.begin(params, this.settings.capture, (input) => this.ingestPath(input));
  }

  /** A task's result file through the same path as captured files: bound `task_result` to the task (and run). */
  ingestTaskResult(input: { workspace_id: string; task_id: string; task_run_id?: string; thread_id?: string; root: string; path: string; name?: string; mime_type?: string }): Promise<ArtifactRef> {
    if (!this.settings.capture.task_results) throw artifactError('invalid_params', 'capture of task results is disabled', { reason: 'capture_disabled' });
    const { task_id, task_run_id, thread_id, ...rest } = input;
    return this.ingestPath({
      ...rest,
      source_kind: 'task_result',
      bindings: [{ binding_kind: 'task_result', task_id, ...(task_run_id === undefined ? {} : { task_run_id }), ...(thread_id === undefined ? {} : { thread_id }) }],
    });
  }

  /** Computes up to `limit` pending projections (a worker calls this off the request path). */
  runPendingProjections(options: { limit?: number } = {}): Promise<ProjectionRunReport> {
    return runPendingProjections({ store: this.store, blobs: this.blobs, now: this.#now, owner: this.#owner }, options.limit ?? 16);
  }

  gcPlan(options: { now?: Date; limit?: number } = {}): Promise<GcPlan> {
    return gcPlan(this.#gcDeps, options.now ?? this.#now(), options.limit);
  }

  gcExecute(plan: GcPlan, options: { now?: Date } = {}): Promise<GcReport> {
    return gcExecute(this.#gcDeps, plan, options.now ?? this.#now());
  }

  verifyBlobs(options: { onProgress?: (progress: VerifyBlobsProgress) => void } = {}): Promise<VerifyBlobsReport> {
    return verifyBlobs(this.store, this.blobs, options.onProgress);
  }

  pruneExpiredUploads(options: { now?: Date } = {}): Promise<PruneUploadsReport> {
    return pruneExpiredUploads(this.store, this.blobs, options.now ?? this.#now());
  }

  get #gcDeps() {
    return { store: this.store, blobs: this.blobs, graceHours: this.settings.artifacts.gc_grace_hours };
  }
}

function toRef(v: ArtifactRef): ArtifactRef {
  return { artifact_id: v.artifact_id, version_id: v.version_id, workspace_id: v.workspace_id, sha256: v.sha256, size_bytes: v.size_bytes, name: v.name, mime_type: v.mime_type, kind: v.kind };
}
