import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { artifactError } from '../errors.js';

/**
 * Passes bytes through while hashing them; at the end, a digest or size other than the
 * expected one fails the stream with `integrity_failed` instead of ending it, so a reader
 * never takes corrupt bytes for a complete blob.
 */
export function verifyingStream(expected: { sha256: string; size_bytes: number }, what: Record<string, unknown>): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.byteLength;
      callback(null, chunk);
    },
    flush(callback) {
      const sha256 = hash.digest('hex');
      if (sha256 !== expected.sha256 || size !== expected.size_bytes) {
        callback(artifactError('integrity_failed', 'the stored blob does not match its content address', { ...what, reason: 'corrupt_blob', size_bytes: size }));
        return;
      }
      callback();
    },
  });
}
