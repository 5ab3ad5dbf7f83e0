import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { artifactError, storageFailed } from '../errors.js';
import { assertId, assertSha256, isId, isSha256 } from '../ids.js';
import type { ArtifactBlobStore, BlobEntry, BlobStat, OpenOptions, PutOptions, PutResult, UploadTemps, VerifyOutcome } from './blob-store.js';
import { createTemp, DIR_MODE, ensureDirectory, removeDurably, renameDurably } from './durable-fs.js';
import { hashFile } from './hash-file.js';
import { LocalUploadTemps } from './upload-temps.js';
import { verifyingStream } from './verifying-stream.js';
import { writeHashed } from './write-temp.js';

/** A step of a blob write, reported to `probe` (crash tests kill the process there; tracing). */
export type BlobWriteStep = 'temp_synced' | 'renamed';

export interface LocalArtifactBlobStoreOptions {
  /** The blob root (`[artifacts] root`, default `<home>/artifacts`); created 0700 when absent. */
  root: string;
  /** Called at each durable step of a write, awaited; a crash test's child SIGKILLs itself here. */
  probe?: (step: BlobWriteStep, info: { workspace_id: string; sha256: string }) => void | Promise<void>;
}

const TEMP_DIR = 'tmp';

/**
 * Blobs on the local (or a shared) file system at
 * `<root>/workspaces/<workspace_id>/blobs/sha256/<aa>/<bb>/<sha256>`. A write goes to a temp
 * file in the workspace's `blobs/tmp/` (the content address is known only after the last
 * byte; same file system, so the rename is atomic), is fsynced, renamed into place and the
 * directory fsynced: a crash never leaves a torn file at a content address, only a temp
 * that GC sweeps.
 */
export class LocalArtifactBlobStore implements ArtifactBlobStore {
  readonly root: string;
  readonly uploads: UploadTemps;
  readonly #probe: LocalArtifactBlobStoreOptions['probe'];
  #rootReady: Promise<void> | undefined;

  constructor(options: LocalArtifactBlobStoreOptions) {
    this.root = options.root;
    this.#probe = options.probe;
    this.uploads = new LocalUploadTemps(this.root, () => this.#ensureRoot());
  }

  async put(workspaceId: string, source: Readable | AsyncIterable<Uint8Array> | Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    assertId(workspaceId, 'workspace_id');
    if (options.expected_sha256 !== undefined) assertSha256(options.expected_sha256, 'expected_sha256');
    const tempDir = await this.#tempDir(workspaceId);
    const temp = await createTemp(tempDir, 'put-');
    let hashed;
    try {
      try {
        hashed = await writeHashed(temp.handle, source, options.max_bytes ?? Number.MAX_SAFE_INTEGER);
        await temp.handle.sync();
      } finally {
        await temp.handle.close();
      }
    } catch (error) {
      await rm(temp.path, { force: true });
      throw storageFailed('cannot write blob', error);
    }
    return this.#commit(workspaceId, temp.path, hashed, options);
  }

  async putFile(workspaceId: string, tempPath: string, options: PutOptions = {}): Promise<PutResult> {
    assertId(workspaceId, 'workspace_id');
    const hashed = await hashFile(tempPath);
    if (hashed === undefined) throw artifactError('not_found', 'the file to store does not exist', { reason: 'missing_temp' });
    if (options.max_bytes !== undefined && hashed.size_bytes > options.max_bytes) {
      throw artifactError('payload_too_large', `the bytes exceed the limit of ${options.max_bytes}`, { limit: options.max_bytes, reason: 'max_bytes' });
    }
    return this.#commit(workspaceId, tempPath, hashed, options);
  }

  async commitUpload(workspaceId: string, uploadId: string, sha256: string, options: { verified?: boolean } = {}): Promise<PutResult> {
    assertId(workspaceId, 'workspace_id');
    assertId(uploadId, 'upload_id');
    assertSha256(sha256);
    const { payload } = (this.uploads as LocalUploadTemps).pathsOf(workspaceId, uploadId);
    let hashed: { sha256: string; size_bytes: number } | undefined;
    if (options.verified === true) {
      const info = await stat(payload).catch(() => undefined);
      hashed = info === undefined ? undefined : { sha256, size_bytes: info.size };
    } else {
      hashed = await hashFile(payload);
    }
    if (hashed === undefined) throw artifactError('not_found', 'no upload temp file for that upload', { upload_id: uploadId, reason: 'missing_temp' });
    const result = await this.#commit(workspaceId, payload, hashed, { expected_sha256: sha256 });
    await this.uploads.remove(workspaceId, uploadId);
    return result;
  }

  async open(workspaceId: string, sha256: string, options: OpenOptions = {}): Promise<Readable> {
    const path = this.#blobPath(workspaceId, sha256);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw storageFailed('cannot stat blob', error);
    });
    if (info === undefined) throw artifactError('not_found', 'no blob with that digest in the workspace', { workspace_id: workspaceId, sha256 });
    const start = options.start ?? 0;
    const end = options.end ?? info.size - 1;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || (info.size > 0 && (start > end || end >= info.size))) {
      throw artifactError('invalid_params', 'the range is outside the blob', { start, end, size_bytes: info.size, reason: 'invalid_range' });
    }
    const whole = start === 0 && end === info.size - 1;
    if (options.verify === true && !whole) {
      // A range cannot be checked against the digest on its own: check the whole blob first.
      if ((await this.verify(workspaceId, sha256)) !== 'ok') throw corrupt(workspaceId, sha256);
    }
    const stream = info.size === 0 ? createReadStream(path) : createReadStream(path, { start, end, highWaterMark: 1024 * 1024 });
    if (options.verify === true && whole) return stream.pipe(verifyingStream({ sha256, size_bytes: info.size }, { workspace_id: workspaceId, sha256 })).once('error', () => stream.destroy());
    return stream;
  }

  async stat(workspaceId: string, sha256: string): Promise<BlobStat | undefined> {
    const info = await stat(this.#blobPath(workspaceId, sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw storageFailed('cannot stat blob', error);
    });
    return info === undefined ? undefined : { size_bytes: info.size, mtime: info.mtime };
  }

  async verify(workspaceId: string, sha256: string): Promise<VerifyOutcome> {
    const hashed = await hashFile(this.#blobPath(workspaceId, sha256));
    if (hashed === undefined) return 'missing';
    return hashed.sha256 === sha256 ? 'ok' : 'corrupt';
  }

  async delete(workspaceId: string, sha256: string): Promise<boolean> {
    return removeDurably(this.#blobPath(workspaceId, sha256));
  }

  async *list(workspaceId?: string): AsyncIterable<BlobEntry> {
    const workspaces = workspaceId === undefined ? (await listDir(join(this.root, 'workspaces'))).filter(isId) : [assertId(workspaceId, 'workspace_id')];
    for (const ws of workspaces) {
      const base = join(this.root, 'workspaces', ws, 'blobs', 'sha256');
      for (const aa of await listDir(base)) {
        for (const bb of await listDir(join(base, aa))) {
          for (const name of await listDir(join(base, aa, bb))) {
            if (!isSha256(name) || name.slice(0, 2) !== aa || name.slice(2, 4) !== bb) continue;
            const info = await stat(join(base, aa, bb, name)).catch(() => undefined);
            if (info?.isFile()) yield { workspace_id: ws, sha256: name, size_bytes: info.size, mtime: info.mtime };
          }
        }
      }
    }
  }

  /** Removes write temps (left by a crash before the rename) last modified before `olderThan`; returns how many. */
  async removeStaleTemps(olderThan: Date): Promise<number> {
    let removed = 0;
    for (const ws of (await listDir(join(this.root, 'workspaces'))).filter(isId)) {
      const dir = join(this.root, 'workspaces', ws, 'blobs', TEMP_DIR);
      for (const name of await listDir(dir)) {
        const info = await stat(join(dir, name)).catch(() => undefined);
        if (info?.isFile() && info.mtime < olderThan && (await removeDurably(join(dir, name)))) removed++;
      }
    }
    return removed;
  }

  /**
   * Puts verified temp bytes at their content address. Reuse needs proof: an existing file
   * is re-hashed (size and digest) and kept only when it matches; a corrupt one is replaced
   * by the rename, which is atomic, so a reader sees the old bytes or the good ones.
   */
  async #commit(workspaceId: string, tempPath: string, hashed: { sha256: string; size_bytes: number }, options: PutOptions): Promise<PutResult> {
    const { sha256, size_bytes } = hashed;
    try {
      if (options.expected_sha256 !== undefined && options.expected_sha256 !== sha256) {
        throw artifactError('checksum_mismatch', 'the bytes do not match the declared SHA-256', { expected: options.expected_sha256, actual: sha256 });
      }
      const target = this.#blobPath(workspaceId, sha256);
      const existing = await this.verify(workspaceId, sha256);
      // Reuse refreshes the mtime: GC's grace period counts from the blob's last use, so an
      // ingest about to reference old, unreferenced bytes is not raced by a collection. A blob
      // collected between the check and the touch is simply written again from the temp.
      if (existing === 'ok' && (await touch(target))) {
        await rm(tempPath, { force: true });
        return { sha256, size_bytes, created: false, replaced_corrupt: false };
      }
      await this.#probe?.('temp_synced', { workspace_id: workspaceId, sha256 });
      await ensureDirectory(this.root, ['workspaces', workspaceId, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4)]);
      await renameDurably(tempPath, target);
      await this.#probe?.('renamed', { workspace_id: workspaceId, sha256 });
      return { sha256, size_bytes, created: true, replaced_corrupt: existing === 'corrupt' };
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => undefined);
      throw storageFailed('cannot store blob', error);
    }
  }

  #blobPath(workspaceId: string, sha256: string): string {
    assertId(workspaceId, 'workspace_id');
    assertSha256(sha256);
    return join(this.root, 'workspaces', workspaceId, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async #tempDir(workspaceId: string): Promise<string> {
    await this.#ensureRoot();
    return ensureDirectory(this.root, ['workspaces', workspaceId, 'blobs', TEMP_DIR]);
  }

  #ensureRoot(): Promise<void> {
    this.#rootReady ??= mkdir(this.root, { recursive: true, mode: DIR_MODE }).then(() => undefined);
    return this.#rootReady;
  }
}

async function touch(path: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(path, now, now);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function corrupt(workspaceId: string, sha256: string) {
  return artifactError('integrity_failed', 'the stored blob does not match its content address', { workspace_id: workspaceId, sha256, reason: 'corrupt_blob' });
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw storageFailed('cannot list blob directory', error);
  }
}
