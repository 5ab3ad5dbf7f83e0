import { encodeUploadFrame, isErrorCode, rpcCodeFor, type TransferArtifactRef, type UploadChunkAckNotification, type UploadSession, type UploadSourceKind } from '@cairn/protocol';
import { CairnClientError, CairnRpcError, isCairnClientError } from '../errors/client-errors.js';
import type { CairnClient } from '../client/types.js';
import type { TransferHashing } from './hashing.js';
import { connectionLost, deferred, type ProgressHandler } from './transfer-common.js';

/** The options of `upload` in both entries (the Node one adds `spoolDir`). */
export interface UploadCoreOptions {
  client: CairnClient;
  workspace_id: string;
  thread_id?: string;
  turn_id?: string;
  /** The artifact's name (Node: default the path's base name; browser: default a File's name). */
  file_name?: string;
  mime_type?: string;
  source_kind?: UploadSourceKind;
  /** The whole file's SHA-256 when the caller knows it (saves one read of the source). */
  sha256?: string;
  /** Chunk size to ask for (default: the gateway's recommendation, 256 KiB). */
  chunk_size?: number;
  /** Continue this session (from `artifact/upload/status`'s `next_offset`) instead of starting one. */
  upload_id?: string;
  /** Dropped connections (or refused chunks) to resume from before giving up (default 10). */
  maxRetries?: number;
  signal?: AbortSignal;
}

export interface UploadResult {
  artifact: TransferArtifactRef;
  upload_id: string;
  /** Times the upload resumed after a dropped connection or a refused chunk. */
  resumes: number;
}

/** Bytes `upload` reads chunks from: a file (positional reads), a Blob or memory. */
export interface ChunkSource {
  size: number;
  /** The bytes at `offset`; valid until the next `read` (a file source reuses its buffer). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * The upload protocol both entries share: `artifact/upload/start` (or `status` for a given
 * `upload_id`), `CAUP` chunks each with its SHA-256, at most `window_chunks` unacknowledged and
 * the socket's buffer under a window's worth, resume from `artifact/upload/status`'s
 * `next_offset` after a dropped connection or a lost offset race, then `finish`. Reading the
 * bytes (`chunks`) and hashing (`hashing`) are the caller's.
 */
export async function sendChunks(
  client: CairnClient,
  chunks: ChunkSource,
  options: UploadCoreOptions & { file_name: string; sha256: string },
  hashing: TransferHashing,
  onProgress?: ProgressHandler,
): Promise<UploadResult> {
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
            const frame = encodeUploadFrame({ upload_id: uploadId, offset: next, len: length, chunk_sha256: await hashing.chunk(payload) }, payload);
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

