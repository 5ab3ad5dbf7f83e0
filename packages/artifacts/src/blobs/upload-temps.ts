import { constants } from 'node:fs';
import { open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactError, storageFailed } from '../errors.js';
import { assertId, isId } from '../ids.js';
import type { UploadEntry, UploadTemp, UploadTemps } from './blob-store.js';
import { ensureDirectory, FILE_MODE, fsyncDirectory } from './durable-fs.js';

/**
 * Upload temps at `<root>/upload_sessions/<workspace_id>/<upload_id>/payload.bin`: the only
 * code that builds their paths. Chunks are written at their offset (pwrite), so a resumed
 * upload continues where the acknowledged bytes end.
 */
export class LocalUploadTemps implements UploadTemps {
  readonly #root: string;
  readonly #ready: () => Promise<void>;

  constructor(root: string, ready: () => Promise<void>) {
    this.#root = root;
    this.#ready = ready;
  }

  pathsOf(workspaceId: string, uploadId: string): { dir: string; payload: string } {
    assertId(workspaceId, 'workspace_id');
    assertId(uploadId, 'upload_id');
    const dir = join(this.#root, 'upload_sessions', workspaceId, uploadId);
    return { dir, payload: join(dir, 'payload.bin') };
  }

  async open(workspaceId: string, uploadId: string): Promise<UploadTemp> {
    const { payload } = this.pathsOf(workspaceId, uploadId);
    await this.#ready();
    let handle: FileHandle;
    try {
      await ensureDirectory(this.#root, ['upload_sessions', workspaceId, uploadId]);
      handle = await open(payload, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, FILE_MODE);
    } catch (error) {
      throw storageFailed('cannot open upload temp', error);
    }
    return uploadTemp(handle);
  }

  async size(workspaceId: string, uploadId: string): Promise<number | undefined> {
    const { payload } = this.pathsOf(workspaceId, uploadId);
    const info = await stat(payload).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw storageFailed('cannot stat upload temp', error);
    });
    return info?.size;
  }

  async remove(workspaceId: string, uploadId: string): Promise<boolean> {
    const { dir } = this.pathsOf(workspaceId, uploadId);
    const existed = await stat(dir).then(
      () => true,
      () => false,
    );
    if (!existed) return false;
    await rm(dir, { recursive: true, force: true });
    await fsyncDirectory(join(this.#root, 'upload_sessions', workspaceId)).catch(() => undefined);
    return true;
  }

  async *list(): AsyncIterable<UploadEntry> {
    const base = join(this.#root, 'upload_sessions');
    for (const ws of (await names(base)).filter(isId)) {
      for (const id of (await names(join(base, ws))).filter(isId)) {
        const info = await stat(join(base, ws, id, 'payload.bin')).catch(() => undefined);
        const dirInfo = info ?? (await stat(join(base, ws, id)).catch(() => undefined));
        if (dirInfo !== undefined) yield { workspace_id: ws, upload_id: id, size_bytes: info?.size ?? 0, mtime: dirInfo.mtime };
      }
    }
  }
}

function uploadTemp(handle: FileHandle): UploadTemp {
  return {
    async size() {
      return (await handle.stat()).size;
    },
    async write(offset, bytes) {
      if (!Number.isSafeInteger(offset) || offset < 0) throw artifactError('invalid_params', 'offset must be a non-negative integer', { offset, reason: 'invalid_offset' });
      for (let done = 0; done < bytes.byteLength; ) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, offset + done);
        done += bytesWritten;
      }
      return offset + bytes.byteLength;
    },
    sync: () => handle.sync(),
    truncate: (length) => handle.truncate(length),
    close: () => handle.close(),
  };
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw storageFailed('cannot list upload temps', error);
  }
}
