import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { nodeHashing } from './node-hashing.js';
import type { ProgressHandler } from './transfer-common.js';
import { receiveChunks, type DownloadOptions, type DownloadRef, type DownloadResult } from './download-core.js';

export type { DownloadOptions, DownloadRef, DownloadResult } from './download-core.js';

/**
 * Downloads an artifact version (or a range of it) into `sink` (a file path, created or
 * truncated, or a Writable): `artifact/download/start`, then `CADN` frames, each checked
 * against its SHA-256 and its expected offset, written in order; the whole file's SHA-256 is
 * checked when the whole version was asked for. A slow sink pauses reading the socket, so
 * the gateway's window (and TCP) holds the rest back. A dropped connection restarts the
 * download from the first byte not yet written (pinned to the version of the first start).
 */
export async function download(ref: DownloadRef, sink: string | Writable, options: DownloadOptions, onProgress?: ProgressHandler): Promise<DownloadResult> {
  const out = typeof sink === 'string' ? createWriteStream(sink, { mode: 0o600 }) : sink;
  try {
    const result = await receiveChunks(ref, (bytes) => writeTo(out, bytes), options, nodeHashing, onProgress);
    if (typeof sink === 'string') await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return result;
  } catch (error) {
    if (typeof sink === 'string') out.destroy();
    throw error;
  }
}

/** Writes to a Writable, waiting for `drain` when it asks to. */
function writeTo(out: Writable, bytes: Uint8Array): Promise<void> | void {
  if (!out.write(bytes)) return new Promise<void>((resolve) => out.once('drain', resolve));
}
