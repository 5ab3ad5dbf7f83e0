import type { Readable } from 'node:stream';

/** What `put` stored: the content address, and whether this call wrote the bytes. */
export interface PutResult {
  sha256: string;
  size_bytes: number;
  /** false: identical, verified bytes were already stored and were reused. */
  created: boolean;
  /** true: a blob was at this address but failed verification, and was replaced. */
  replaced_corrupt: boolean;
}

export interface PutOptions {
  /** Refuse (payload_too_large, nothing stored) as soon as the source passes this many bytes. */
  max_bytes?: number;
  /** When given, the bytes must hash to it (checksum_mismatch, nothing stored). */
  expected_sha256?: string;
}

export interface OpenOptions {
  /** First byte, inclusive (default 0). */
  start?: number;
  /** Last byte, inclusive, like `fs.createReadStream` and HTTP ranges. */
  end?: number;
  /** Re-hash while reading: a corrupt blob ends the stream with `integrity_failed` instead of `end`. */
  verify?: boolean;
}

export interface BlobStat {
  size_bytes: number;
  mtime: Date;
}

export interface BlobEntry extends BlobStat {
  workspace_id: string;
  sha256: string;
}

export type VerifyOutcome = 'ok' | 'missing' | 'corrupt';

/** An upload's temp file, written at offsets as chunks arrive (resumable uploads). */
export interface UploadTemp {
  /** Bytes in the file now. */
  size(): Promise<number>;
  /** Positional write; returns the offset after the bytes. */
  write(offset: number, bytes: Uint8Array): Promise<number>;
  /** fsync: what was written survives a crash. */
  sync(): Promise<void>;
  /** Cut the file to `length` bytes (a resume drops what was not acknowledged). */
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface UploadEntry {
  workspace_id: string;
  upload_id: string;
  size_bytes: number;
  mtime: Date;
}

export interface UploadTemps {
  /** Opens (creating when absent) `upload_sessions/<workspace_id>/<upload_id>/payload.bin`. */
  open(workspaceId: string, uploadId: string): Promise<UploadTemp>;
  /** Bytes in the upload's temp now, undefined when it has none (never creates one). */
  size(workspaceId: string, uploadId: string): Promise<number | undefined>;
  /** Removes the upload's directory; false when there was none. */
  remove(workspaceId: string, uploadId: string): Promise<boolean>;
  list(): AsyncIterable<UploadEntry>;
}

/**
 * Content-addressed bytes per workspace. Every method validates its ids (`invalid_params`
 * for a workspace id or digest of the wrong shape) before touching the file system, and is
 * the only code that turns an id into a path.
 */
export interface ArtifactBlobStore {
  put(workspaceId: string, source: Readable | AsyncIterable<Uint8Array> | Uint8Array, options?: PutOptions): Promise<PutResult>;
  /** Stores a finished file by moving it (no copy); the file must be on the blob root's file system. */
  putFile(workspaceId: string, tempPath: string, options?: PutOptions): Promise<PutResult>;
  /** A stream of the blob's bytes (`not_found` when absent). */
  open(workspaceId: string, sha256: string, options?: OpenOptions): Promise<Readable>;
  stat(workspaceId: string, sha256: string): Promise<BlobStat | undefined>;
  verify(workspaceId: string, sha256: string): Promise<VerifyOutcome>;
  delete(workspaceId: string, sha256: string): Promise<boolean>;
  list(workspaceId?: string): AsyncIterable<BlobEntry>;
  readonly uploads: UploadTemps;
  /** Moves a finished upload temp into its content address (no copy), hashing it unless `verified`. */
  commitUpload(workspaceId: string, uploadId: string, sha256: string, options?: { verified?: boolean }): Promise<PutResult>;
}
