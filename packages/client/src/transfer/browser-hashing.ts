import { createSHA256, type IHasher } from 'hash-wasm';
import type { Sha256Hasher, TransferHashing } from './hashing.js';

function wrap(hasher: IHasher): Sha256Hasher {
  hasher.init();
  return { update: (bytes) => void hasher.update(bytes), digest: () => hasher.digest('hex') };
}

/**
 * Browser hashing with `hash-wasm`: one WASM SHA-256 instance reused for the chunks (each
 * `chunk` call is synchronous once the instance exists), and a fresh one per running hash.
 */
export function browserHashing(): TransferHashing {
  let chunkHasher: Promise<IHasher> | undefined;
  return {
    async chunk(bytes) {
      const hasher = await (chunkHasher ??= createSHA256());
      hasher.init();
      hasher.update(bytes);
      return hasher.digest('hex');
    },
    running: async () => wrap(await createSHA256()),
  };
}
