import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Bytes per read when hashing or copying: large enough for throughput, small enough for flat memory. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * SHA-256 and size of a file, read in fixed chunks through one buffer (memory stays flat
 * whatever the size). Returns undefined when the file does not exist.
 */
export async function hashFile(path: string): Promise<{ sha256: string; size_bytes: number } | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, size);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size_bytes: size };
  } finally {
    await handle.close();
  }
}
