import { createSHA256, type IHasher } from 'hash-wasm';

/**
 * A SHA-256 whose state can be saved after a chunk and loaded after a restart, so a resumed
 * upload never re-reads its temp file. `node:crypto` cannot export a hash's state; hash-wasm's
 * `createSHA256()` can (`save()` → bytes, `load(bytes)`): the state is persisted beside the
 * temp's length in the upload-session row, as base64.
 */
export class RunningHash {
  readonly #hasher: IHasher;
  #finished = false;

  private constructor(hasher: IHasher) {
    this.#hasher = hasher;
  }

  /** A fresh hash (no bytes yet). */
  static async create(): Promise<RunningHash> {
    const hasher = await createSHA256();
    hasher.init();
    return new RunningHash(hasher);
  }

  /** A hash resumed from `save()`'s string; a fresh one for null. Throws on a state that is not one. */
  static async load(state: string | null): Promise<RunningHash> {
    const running = await RunningHash.create();
    if (state !== null) running.#hasher.load(Buffer.from(state, 'base64'));
    return running;
  }

  update(bytes: Uint8Array): void {
    if (this.#finished) throw new Error('RunningHash: digest was taken');
    this.#hasher.update(bytes);
  }

  /** The state after every byte so far, as base64 (about 150 bytes). */
  save(): string {
    return Buffer.from(this.#hasher.save()).toString('base64');
  }

  /** Restores a saved state (drops what was hashed since). */
  restore(state: string | null): void {
    if (state === null) this.#hasher.init();
    else this.#hasher.load(Buffer.from(state, 'base64'));
    this.#finished = false;
  }

  /** The state, as a promise (the same as `save()`). */
  async snapshot(): Promise<string> {
    return this.save();
  }

  /** The hex digest; the hash goes on from the same state afterwards. */
  async digestHex(): Promise<string> {
    const state = this.#hasher.save();
    const digest = this.#hasher.digest('hex');
    this.#hasher.load(state);
    return digest;
  }

  close(): void {
    this.#finished = true;
  }
}
