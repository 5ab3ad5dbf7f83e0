import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { artifactError } from '../errors.js';

/**
 * Streams `source` into `handle` with positional writes, hashing on the way: one pass, and
 * memory bounded by the source's chunk size (the loop awaits each write, so a fast source
 * waits for the disk). Stops with `payload_too_large` as soon as `maxBytes` is passed.
 */
export async function writeHashed(
  handle: FileHandle,
  source: Readable | AsyncIterable<Uint8Array> | Uint8Array,
  maxBytes: number,
): Promise<{ sha256: string; size_bytes: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const take = async (chunk: Uint8Array): Promise<void> => {
    if (size + chunk.byteLength > maxBytes) {
      throw artifactError('payload_too_large', `the bytes exceed the limit of ${maxBytes}`, { limit: maxBytes, reason: 'max_bytes' });
    }
    hash.update(chunk);
    for (let done = 0; done < chunk.byteLength; ) {
      const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done, size + done);
      done += bytesWritten;
    }
    size += chunk.byteLength;
  };
  if (source instanceof Uint8Array) {
    await take(source);
  } else {
    for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
      await take(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
  }
  return { sha256: hash.digest('hex'), size_bytes: size };
}
