import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { encodeUploadFrame } from '@cairn/protocol';

/**
 * Deterministic pseudo-random bytes (xorshift32 from `seed`): byte `i` of a stream is the same
 * whoever generates it and in whatever pieces, so a test can regenerate a 100 MB file's bytes
 * at any offset instead of holding them.
 */
export function deterministicBytes(seed: number, offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  // Each 4-byte word w is the xorshift of (seed ^ w): position-addressable, no carried state.
  let at = 0;
  let word = Math.floor(offset / 4);
  let skip = offset % 4;
  while (at < length) {
    let x = (seed ^ Math.imul(word + 1, 0x9e3779b1)) >>> 0 || 1;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    for (let b = skip; b < 4 && at < length; b++) out[at++] = (x >>> (b * 8)) & 0xff;
    skip = 0;
    word++;
  }
  return out;
}

/** Writes `size` deterministic bytes to `path` in 1 MiB pieces; resolves with their SHA-256. */
export async function writeDeterministicFile(path: string, seed: number, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let offset = 0; offset < size; offset += 1 << 20) {
    const piece = deterministicBytes(seed, offset, Math.min(1 << 20, size - offset));
    hash.update(piece);
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A `CAUP` frame for `payload` at `offset` (the hash right unless given). */
export function uploadFrame(uploadId: string, offset: number, payload: Uint8Array, chunkSha256: string = sha256Hex(payload)): Buffer {
  return Buffer.from(encodeUploadFrame({ upload_id: uploadId, offset, len: payload.length, chunk_sha256: chunkSha256 }, payload));
}
