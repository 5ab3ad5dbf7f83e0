import type { Readable } from 'node:stream';
import type { ArtifactUploadSession, TransferArtifactRef, UploadSourceKind } from '@cairn/protocol';

/**
 * What the transfer layer needs of the artifact packages, in the shapes of the team's contract
 * (crud `store.artifacts` upload-session rows, `@cairn/artifacts` upload temps and
 * `ArtifactService`). `ports-of.ts` binds them to the real objects; nothing else in
 * `src/transfer` names those packages, so the upload and download logic reads against this page.
 */
/** An upload session's row: crud's record of it (`store.artifacts.getUploadSession`), the protocol's `ArtifactUploadSession`. */
export type UploadSessionRow = ArtifactUploadSession;

/** Where `UploadRows.get` may look for an upload id it has not seen. */
export interface UploadLookup {
  workspace_id?: string;
  workspaces?: Iterable<string>;
  scan?: boolean;
}

/** Upload-session rows (crud): bytes are not here, only how far they got. */
export interface UploadRows {
  create(input: {
    workspace_id: string;
    token_id: string;
    thread_id?: string;
    turn_id?: string;
    file_name: string;
    mime_type: string;
    size_bytes: number;
    sha256: string;
    source_kind: string;
    chunk_size: number;
    expires_at: Date;
  }): Promise<UploadSessionRow>;
  /**
   * The row of an upload id: from the ids this process has seen (created, or found before),
   * else in `lookup.workspace_id`, else in each of `lookup.workspaces` (a scoped token's), else,
   * only with `lookup.scan`, among every open session. Without a hint or `scan` an unknown id is
   * undefined at the cost of a map lookup (a `CAUP` chunk naming a made-up id costs no scan).
   */
  get(uploadId: string, lookup?: UploadLookup): Promise<UploadSessionRow | undefined>;
  /** Compare-and-set on the offset: false when `received_bytes` is no longer `expectedOffset`. */
  advance(input: { upload_id: string; expected_offset: number; received_bytes: number; hash_state: string }): Promise<boolean>;
  finish(input: { upload_id: string; artifact_id: string; version_id: string }): Promise<void>;
  abort(uploadId: string): Promise<void>;
  /** Marks an open session expired (its temp already removed). */
  expire(uploadId: string): Promise<void>;
  expired(now: Date, limit: number): Promise<UploadSessionRow[]>;
  open(): Promise<UploadSessionRow[]>;
}

/** One upload's temp file in the blob store (the blob store builds its path). */
export interface UploadTemp {
  size(): Promise<number>;
  write(offset: number, bytes: Uint8Array): Promise<unknown>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface UploadTemps {
  open(workspaceId: string, uploadId: string): Promise<UploadTemp>;
  remove(workspaceId: string, uploadId: string): Promise<unknown>;
  list(): AsyncIterable<{ workspace_id: string; upload_id: string; mtime: Date }>;
  /** The temp's file path when it is a local file (the hash worker reads the bytes back from it instead of being handed copies); undefined otherwise. */
  pathOf?(workspaceId: string, uploadId: string): string | undefined;
}

/** The artifact metadata a download needs. */
export interface DownloadTarget {
  artifact_id: string;
  version_id: string;
  workspace_id: string;
  name: string;
  mime_type: string;
  sha256: string;
  size_bytes: number;
}

export interface TransferArtifacts {
  /** Ingests a finished upload temp (renamed into its content address): one version, its bindings, its quota; typed `quota_exceeded` with nothing written. */
  ingestUpload(row: UploadSessionRow, sha256Verified: boolean): Promise<TransferArtifactRef>;
  /** The `ArtifactRef` of a version (what a finished upload became), for a retried `finish`. */
  refOf(workspaceId: string, versionId: string): Promise<TransferArtifactRef>;
  /** The version a download streams; `not_found` for a deleted artifact, another workspace's, or an unknown version. */
  resolve(workspaceId: string, artifactId: string, versionId: string | undefined): Promise<DownloadTarget>;
  /** The version's bytes `start` ..= `end` (inclusive, as `fs.createReadStream`). */
  open(target: DownloadTarget, range: { start: number; end: number }): Promise<Readable>;
  /** The largest artifact a workspace may store, bytes (the `[quotas] max_artifact_bytes`), or undefined when unlimited. */
  maxArtifactBytes(): number | undefined;
}

/** Everything the transfer layer reaches. */
export interface TransferPorts {
  rows: UploadRows;
  temps: UploadTemps;
  artifacts: TransferArtifacts;
}

export type { UploadSourceKind };
