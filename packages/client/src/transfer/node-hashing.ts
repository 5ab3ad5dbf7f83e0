import { createHash } from 'node:crypto';
import type { TransferHashing } from './hashing.js';

/** Node hashing: `node:crypto`. */
export const nodeHashing: TransferHashing = {
  chunk: (bytes) => createHash('sha256').update(bytes).digest('hex'),
  running: () => {
    const hash = createHash('sha256');
    return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest('hex') };
  },
};
