import { decodeDownloadFrame, type DownloadStartResult } from '@cairn/protocol';
import { CairnClientError, isCairnClientError } from '../errors/client-errors.js';
import type { CairnClient } from '../client/types.js';
import type { Sha256Hasher, TransferHashing } from './hashing.js';
import { connectionLost, deferred, type ProgressHandler } from './transfer-common.js';

/** Which bytes to download: an artifact (its current version unless `version_id`), optionally a range. */
export interface DownloadRef {
  workspace_id: string;
  artifact_id: string;
  version_id?: string;
  range?: { offset: number; length?: number };
}

export interface DownloadOptions {
  client: CairnClient;
  chunk_size?: number;
  /** Dropped connections to resume from before giving up (default 10). */
  maxRetries?: number;
  signal?: AbortSignal;
}

export interface DownloadResult {
  artifact_id: string;
  version_id: string;
  sha256: string;
  total_size_bytes: number;
  offset: number;
  bytes_written: number;
  /** True when the whole version was read and its SHA-256 matched (ranges are checked per chunk only). */
  verified_whole_file: boolean;
  resumes: number;
}

/** Where checked bytes go, in order; the next frame waits for the promise. */
export type ChunkSink = (bytes: Uint8Array) => void | Promise<void>;

/** Frames held until the client reads again: past this many the socket is paused (TCP pushes back on the gateway). */
const MAX_QUEUED_FRAMES = 16;

/**
 * The download protocol both entries share: `artifact/download/start`, then every `CADN`
 * frame checked (its offset is the next expected byte, its payload matches `chunk_sha256`)
 * and handed to `write` in order; the whole version's SHA-256 checked when the whole version
 * was asked for. Past `MAX_QUEUED_FRAMES` unwritten frames the socket's reading is paused. A
 * dropped connection restarts from the first byte not yet written, pinned to the version the
 * first start named. Writing (`write`, awaited before the next frame) and hashing are the caller's.
 */
export async function receiveChunks(
  ref: DownloadRef,
  write: ChunkSink,
  options: DownloadOptions,
  hashing: TransferHashing,
  onProgress?: ProgressHandler,
): Promise<DownloadResult> {
  const { client } = options;
  const maxRetries = options.maxRetries ?? 10;
  const start = ref.range?.offset ?? 0;
  let versionId = ref.version_id;
  let plan: DownloadStartResult | undefined;
  let written = 0;
  let resumes = 0;
  let wholeHash: Sha256Hasher | undefined;
  let total = 0;

  for (;;) {
    options.signal?.throwIfAborted();
    const queue: Uint8Array[] = [];
    let wake = deferred();
    let failure: Error | undefined;
    let done = false;
    let current: string | undefined;
    let paused = false;
    const offFrames = client.onBinaryFrame((frame) => {
      queue.push(frame);
      if (queue.length >= MAX_QUEUED_FRAMES && !paused) {
        paused = true;
        client.pauseReading(true);
      }
      wake.resolve();
    });
    const { lost, off: offLost } = connectionLost(client);
    let down = false;
    void lost.then(() => {
      down = true;
      wake.resolve();
    });
    try {
      const remaining = plan ? plan.length - written : ref.range?.length;
      const answer = await client.call('artifact/download/start', {
        workspace_id: ref.workspace_id,
        artifact_id: ref.artifact_id,
        ...(versionId === undefined ? {} : { version_id: versionId }),
        range: { offset: start + written, ...(remaining === undefined ? {} : { length: remaining }) },
        ...(options.chunk_size === undefined ? {} : { chunk_size: options.chunk_size }),
      });
      current = answer.download_id;
      if (!plan) {
        plan = answer;
        versionId = answer.version_id;
        total = answer.length;
        if (answer.offset === 0 && answer.length === answer.total_size_bytes) wholeHash = await hashing.running();
      }
      onProgress?.({ transferred_bytes: written, total_bytes: total, resumes });
      while (!done && !failure) {
        while (queue.length > 0 && !failure && !done) {
          const frame = queue.shift() as Uint8Array;
          let decoded;
          try {
            decoded = decodeDownloadFrame(frame);
          } catch (error) {
            failure = new CairnClientError('transfer_failed', 'the gateway sent a malformed CADN frame', { cause: error });
            break;
          }
          const { header, payload } = decoded;
          if (header.download_id !== current) continue;
          if (header.offset !== start + written) {
            failure = new CairnClientError('transfer_failed', `a CADN frame at ${header.offset}; expected ${start + written}`);
            break;
          }
          if ((await hashing.chunk(payload)) !== header.chunk_sha256) {
            failure = new CairnClientError('transfer_failed', `the CADN frame at ${header.offset} does not match its chunk_sha256`);
            break;
          }
          wholeHash?.update(payload);
          if (payload.length > 0) await write(payload);
          written += payload.length;
          onProgress?.({ transferred_bytes: written, total_bytes: total, resumes });
          if (header.final_chunk) done = true;
        }
        if (paused && queue.length < MAX_QUEUED_FRAMES / 2) {
          paused = false;
          client.pauseReading(false);
        }
        if (done || failure) break;
        if (down) break;
        await wake.promise;
        wake = deferred();
      }
    } catch (error) {
      // A lost connection falls through to the resume below; anything else is the answer.
      if (!(isCairnClientError(error) && error.code === 'connection_lost')) throw error;
    } finally {
      offFrames();
      offLost();
      if (paused) client.pauseReading(false);
    }
    if (failure) {
      if (current) await client.call('artifact/download/abort', { workspace_id: ref.workspace_id, download_id: current }).catch(() => {});
      throw failure;
    }
    if (done && plan) {
      await client.call('artifact/download/finish', { workspace_id: ref.workspace_id, download_id: current as string }).catch(() => {});
      if (written !== plan.length) throw new CairnClientError('transfer_failed', `the download ended after ${written} of ${plan.length} bytes`);
      let verified = false;
      if (wholeHash) {
        const digest = wholeHash.digest();
        if (digest !== plan.sha256) throw new CairnClientError('transfer_failed', 'the downloaded bytes do not match the version sha256');
        verified = true;
      }
      return {
        artifact_id: plan.artifact_id,
        version_id: plan.version_id,
        sha256: plan.sha256,
        total_size_bytes: plan.total_size_bytes,
        offset: start,
        bytes_written: written,
        verified_whole_file: verified,
        resumes,
      };
    }
    if (++resumes > maxRetries) throw new CairnClientError('transfer_failed', `download gave up after ${maxRetries} resumes`);
    await client.ready();
  }
}
