import { CairnClientError } from '../errors/client-errors.js';
import { browserHashing } from './browser-hashing.js';
import type { TransferHashing } from './hashing.js';
import { receiveChunks, type DownloadOptions, type DownloadRef, type DownloadResult } from './download-core.js';
import type { ProgressHandler } from './transfer-common.js';
import { sendChunks, type UploadCoreOptions, type UploadResult } from './upload-core.js';

/** What the browser `upload` sends: a Blob (a File too), bytes in memory, or a stream (collected into a Blob first, so it can resume). */
export type BrowserUploadSource = Blob | Uint8Array | ReadableStream<Uint8Array>;

/** Where the browser `download` writes: a WritableStream (closed at the end, aborted on failure) or a callback awaited per chunk. */
export type BrowserDownloadSink = WritableStream<Uint8Array> | ((bytes: Uint8Array) => void | Promise<void>);

/** Bytes read per slice while hashing a Blob. */
const HASH_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * The browser `upload`: the same protocol as the Node helper (shared core: chunks with their
 * SHA-256, the gateway's window, resume from `artifact/upload/status`, `finish`), reading a
 * Blob by `blob.slice().arrayBuffer()`. The whole-file SHA-256 (hash-wasm, unless
 * `options.sha256`) takes one read first. A stream is collected into a Blob while it is hashed.
 * `file_name` defaults to a File's name and is required otherwise.
 */
export async function upload(source: BrowserUploadSource, options: UploadCoreOptions, onProgress?: ProgressHandler): Promise<UploadResult> {
  const hashing = browserHashing();
  let sha256 = options.sha256;
  let blob: Blob | undefined;
  let bytes: Uint8Array | undefined;
  if (source instanceof Uint8Array) bytes = source;
  else if (typeof Blob !== 'undefined' && source instanceof Blob) blob = source;
  else {
    const collected = await collect(source as ReadableStream<Uint8Array>, hashing);
    blob = collected.blob;
    sha256 ??= collected.sha256;
  }
  const fileName = options.file_name ?? (typeof File !== 'undefined' && blob instanceof File ? blob.name : undefined);
  if (!fileName) throw new TypeError('upload: file_name is required unless the source is a File');
  if (bytes) {
    const data = bytes;
    sha256 ??= await whole(hashing, [data]);
    return sendChunks(
      options.client,
      { size: data.length, read: async (offset, length) => data.subarray(offset, offset + length), close: async () => {} },
      { ...options, file_name: fileName, sha256 },
      hashing,
      onProgress,
    );
  }
  const file = blob as Blob;
  sha256 ??= await hashBlob(file, hashing);
  return sendChunks(
    options.client,
    {
      size: file.size,
      async read(offset, length) {
        const piece = new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
        if (piece.length !== length) throw new CairnClientError('transfer_failed', `the Blob gave ${piece.length} bytes at ${offset}; expected ${length}`);
        return piece;
      },
      close: async () => {},
    },
    { ...options, file_name: fileName, sha256 },
    hashing,
    onProgress,
  );
}

/**
 * The browser `download`: the same protocol as the Node helper (shared core: every `CADN`
 * frame checked against its offset and SHA-256, the whole version's SHA-256 checked, resume
 * after a dropped connection), into a WritableStream or a callback.
 */
export async function download(ref: DownloadRef, sink: BrowserDownloadSink, options: DownloadOptions, onProgress?: ProgressHandler): Promise<DownloadResult> {
  if (typeof sink === 'function') return receiveChunks(ref, sink, options, browserHashing(), onProgress);
  const writer = sink.getWriter();
  try {
    const result = await receiveChunks(ref, (bytes) => writer.write(bytes), options, browserHashing(), onProgress);
    await writer.close();
    return result;
  } catch (error) {
    await writer.abort(error).catch(() => {});
    throw error;
  } finally {
    writer.releaseLock();
  }
}

/** The hex SHA-256 of a Blob, read in slices. */
export async function hashBlob(blob: Blob, hashing: TransferHashing = browserHashing()): Promise<string> {
  const hash = await hashing.running();
  for (let offset = 0; offset < blob.size; offset += HASH_SLICE_BYTES) {
    hash.update(new Uint8Array(await blob.slice(offset, offset + HASH_SLICE_BYTES).arrayBuffer()));
  }
  return hash.digest();
}

async function whole(hashing: TransferHashing, pieces: Uint8Array[]): Promise<string> {
  const hash = await hashing.running();
  for (const piece of pieces) hash.update(piece);
  return hash.digest();
}

async function collect(stream: ReadableStream<Uint8Array>, hashing: TransferHashing): Promise<{ blob: Blob; sha256: string }> {
  const hash = await hashing.running();
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { blob: new Blob(parts as ConstructorParameters<typeof Blob>[0]), sha256: hash.digest() };
}
