import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CairnClientError } from '../errors/client-errors.js';
import { nodeHashing } from './node-hashing.js';
import type { ProgressHandler } from './transfer-common.js';
import { sendChunks, type ChunkSource, type UploadCoreOptions, type UploadResult } from './upload-core.js';

/** What `upload` sends: a file path, bytes in memory, or a stream (spooled to a temp file first, so it can resume). */
export type UploadSource = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface UploadOptions extends UploadCoreOptions {
  /** Where a stream source is spooled (default `os.tmpdir()`). */
  spoolDir?: string;
}

export type { UploadResult } from './upload-core.js';

/**
 * Uploads one file as an artifact over the client's socket: `artifact/upload/start`, then
 * `CAUP` chunks (each with its SHA-256) keeping at most the gateway's window unacknowledged
 * and the socket's buffer under a window's worth, then `finish`. When the connection drops it
 * waits for the client's reconnect, asks `artifact/upload/status` for `next_offset` and
 * continues from there, up to `maxRetries` times. A stream is spooled to a temp file (hashing
 * on the way), because the whole-file SHA-256 goes first and a resume must re-read. Node only.
 */
export async function upload(source: UploadSource, options: UploadOptions, onProgress?: ProgressHandler): Promise<UploadResult> {
  const { client } = options;
  let spooled: string | undefined;
  let path: string | undefined;
  let bytes: Uint8Array | undefined;
  let sha256 = options.sha256;
  if (typeof source === 'string') path = source;
  else if (source instanceof Uint8Array) bytes = source;
  else {
    spooled = join(options.spoolDir ?? tmpdir(), `cairn-upload-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    const readable = source instanceof Readable ? source : Readable.from(source);
    readable.on('data', (piece: Uint8Array) => hash.update(piece));
    await pipeline(readable, createWriteStream(spooled, { flags: 'wx', mode: 0o600 }));
    sha256 = hash.digest('hex');
    path = spooled;
  }
  try {
    const fileName = options.file_name ?? (path !== undefined && spooled === undefined ? basename(path) : undefined);
    if (!fileName) throw new TypeError('upload: file_name is required for bytes and streams');
    let chunks: ChunkSource;
    if (path !== undefined) {
      const size = (await stat(path)).size;
      sha256 ??= await hashFile(path);
      chunks = await fileChunks(path, size);
    } else {
      const data = bytes as Uint8Array;
      sha256 ??= createHash('sha256').update(data).digest('hex');
      chunks = { size: data.length, read: async (offset, length) => data.subarray(offset, offset + length), close: async () => {} };
    }
    try {
      return await sendChunks(client, chunks, { ...options, file_name: fileName, sha256 }, nodeHashing, onProgress);
    } finally {
      await chunks.close();
    }
  } finally {
    if (spooled) await rm(spooled, { force: true });
  }
}

/**
 * Chunks of a file by positional reads into one buffer reused for every chunk (`send` copies
 * each into its frame before it reads the next): no 256 KiB allocation per chunk for the GC.
 */
async function fileChunks(path: string, size: number): Promise<ChunkSource> {
  const handle: FileHandle = await open(path, 'r');
  let scratch = Buffer.allocUnsafe(0);
  return {
    size,
    async read(offset, length) {
      if (scratch.length < length) scratch = Buffer.allocUnsafe(length);
      const buffer = scratch.subarray(0, length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(buffer, got, length - got, offset + got);
        if (bytesRead === 0) throw new CairnClientError('transfer_failed', `${path} shrank while it was uploaded`);
        got += bytesRead;
      }
      return buffer;
    },
    close: () => handle.close(),
  };
}

/** The SHA-256 of a file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(piece as Buffer);
  return hash.digest('hex');
}
