import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { encodeUploadFrame, isErrorCode, rpcCodeFor, type TransferArtifactRef, type UploadChunkAckNotification, type UploadSession, type UploadSourceKind } from '@cairn/protocol';
import { CairnClientError, CairnRpcError, isCairnClientError } from '../errors/client-errors.js';
import type { CairnClient } from '../client/types.js';
import { connectionLost, deferred, type ProgressHandler } from './transfer-common.js';

/** What `upload` sends: a file path, bytes in memory, or a stream (spooled to a temp file first, so it can resume). */
export type UploadSource = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface UploadOptions {
  client: CairnClient;
  workspace_id: string;
  thread_id?: string;
  turn_id?: string;
  /** The artifact's name (default: the path's base name; required for bytes and streams). */
  file_name?: string;
  mime_type?: string;
  source_kind?: UploadSourceKind;
  /** The whole file's SHA-256 when the caller knows it (saves one read of a file). */
  sha256?: string;
  /** Chunk size to ask for (default: the gateway's recommendation, 256 KiB). */
  chunk_size?: number;
  /** Continue this session (from `artifact/upload/status`'s `next_offset`) instead of starting one. */
  upload_id?: string;
  /** Dropped connections (or refused chunks) to resume from before giving up (default 10). */
  maxRetries?: number;
  /** Where a stream source is spooled (default `os.tmpdir()`). */
  spoolDir?: string;
  signal?: AbortSignal;
}

export interface UploadResult {
  artifact: TransferArtifactRef;
  upload_id: string;
  /** Times the upload resumed after a dropped connection or a refused chunk. */
  resumes: number;
}

/** Bytes `upload` reads chunks from: a file (positional reads) or memory. */
interface ChunkSource {
  size: number;
  /** The bytes at `offset`; valid until the next `read` (a file source reuses its buffer). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

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
      return await send(client, chunks, { ...options, file_name: fileName, sha256 }, onProgress);
    } finally {
      await chunks.close();
    }
  } finally {
    if (spooled) await rm(spooled, { force: true });
  }
}

async function send(client: CairnClient, chunks: ChunkSource, options: UploadOptions & { file_name: string; sha256: string }, onProgress?: ProgressHandler): Promise<UploadResult> {
  const workspace_id = options.workspace_id;
  const maxRetries = options.maxRetries ?? 10;
  let session: UploadSession;
  if (options.upload_id) {
    session = (await client.call('artifact/upload/status', { workspace_id, upload_id: options.upload_id })).upload;
    if (session.state !== 'open') throw new CairnClientError('transfer_failed', `upload ${options.upload_id} is ${session.state}`);
  } else {
    session = (
      await client.call('artifact/upload/start', {
        workspace_id,
        ...(options.thread_id === undefined ? {} : { thread_id: options.thread_id }),
        ...(options.turn_id === undefined ? {} : { turn_id: options.turn_id }),
        file_name: options.file_name,
        mime_type: options.mime_type ?? 'application/octet-stream',
        size_bytes: chunks.size,
        sha256: options.sha256,
        ...(options.source_kind === undefined ? {} : { source_kind: options.source_kind }),
        ...(options.chunk_size === undefined ? {} : { chunk_size: options.chunk_size }),
      })
    ).upload;
  }
  const uploadId = session.upload_id;
  const size = session.size_bytes;
  const chunkSize = session.chunk_size;
  const window = session.window_chunks;
  let resumes = 0;

  let next = session.next_offset;
  let acked = next;
  let inflight = 0;
  let refused: UploadChunkAckNotification['error'] | undefined;
  let wake = deferred();
  const offAck = client.on('artifact/upload/chunk_ack', (ack) => {
    if (ack.upload_id !== uploadId) return;
    if (ack.error) refused ??= ack.error;
    else {
      inflight = Math.max(0, inflight - 1);
      if (ack.next_offset > acked) {
        acked = ack.next_offset;
        onProgress?.({ transferred_bytes: acked, total_bytes: size, resumes });
      }
    }
    wake.resolve();
  });
  const resume = async (why: unknown) => {
    if (++resumes > maxRetries) throw new CairnClientError('transfer_failed', `upload ${uploadId}: gave up after ${maxRetries} resumes`, { cause: why });
    await client.ready();
    const status = (await client.call('artifact/upload/status', { workspace_id, upload_id: uploadId })).upload;
    if (status.state !== 'open') throw new CairnClientError('transfer_failed', `upload ${uploadId} is ${status.state}`, { cause: why });
    next = acked = status.next_offset;
    inflight = 0;
    refused = undefined;
  };
  try {
    onProgress?.({ transferred_bytes: acked, total_bytes: size, resumes });
    while (acked < size) {
      options.signal?.throwIfAborted();
      const { lost, off } = connectionLost(client);
      let down = client.state !== 'open';
      void lost.then(() => {
        down = true;
        wake.resolve();
      });
      try {
        while (acked < size && !down && !refused) {
          if (next < size && inflight < window && client.bufferedAmount < window * chunkSize) {
            const length = Math.min(chunkSize, size - next);
            const payload = await chunks.read(next, length);
            const frame = encodeUploadFrame({ upload_id: uploadId, offset: next, len: length, chunk_sha256: createHash('sha256').update(payload).digest('hex') }, payload);
            if (!client.sendBinary(frame)) {
              down = true;
              break;
            }
            inflight++;
            next += length;
            continue;
          }
          await Promise.race([wake.promise, bufferDrained(client, window * chunkSize, inflight < window && next < size)]);
          wake = deferred();
        }
      } finally {
        off();
      }
      if (acked >= size) break;
      if (refused) {
        const error = refused;
        const reason = (error.details as { reason?: unknown } | undefined)?.reason;
        // Only a lost race on the offset is worth resending from status; every other refusal is the answer.
        if (!(error.code === 'conflict' && reason === 'offset_mismatch')) throw chunkError(error);
        await resume(chunkError(error));
      } else await resume(new CairnClientError('connection_lost', 'the socket closed during the upload'));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const finished = await client.call('artifact/upload/finish', { workspace_id, upload_id: uploadId });
        return { artifact: finished.artifact, upload_id: uploadId, resumes };
      } catch (error) {
        if (!isCairnClientError(error) || error.code !== 'connection_lost' || attempt >= maxRetries) throw error;
        await client.ready();
      }
    }
  } finally {
    offAck();
  }
}

/** When the socket's buffer is full, a short poll (browsers and `ws` emit no drain event on the WebSocket); otherwise never. */
function bufferDrained(client: CairnClient, limit: number, wantToSend: boolean): Promise<void> {
  if (!wantToSend || client.bufferedAmount < limit) return new Promise(() => {});
  return new Promise((resolve) => setTimeout(resolve, 2));
}

function chunkError(error: NonNullable<UploadChunkAckNotification['error']>): Error {
  if (!isErrorCode(error.code)) return new CairnClientError('transfer_failed', `${error.code}: ${error.message}`);
  return new CairnRpcError({
    method: 'artifact/upload/chunk_ack',
    rpcCode: rpcCodeFor(error.code),
    code: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
    wireCode: error.code,
  });
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
