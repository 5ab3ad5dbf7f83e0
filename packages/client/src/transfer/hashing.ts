/** A running SHA-256: bytes in, then the hex digest once. */
export interface Sha256Hasher {
  update(bytes: Uint8Array): void;
  digest(): string;
}

/**
 * The hashing the shared transfer core needs, behind one interface so the Node entry can use
 * `node:crypto` and the browser entry `hash-wasm` (WebCrypto has no incremental SHA-256).
 */
export interface TransferHashing {
  /** The hex SHA-256 of one chunk. */
  chunk(bytes: Uint8Array): string | Promise<string>;
  /** A fresh running hash, for a whole file. */
  running(): Sha256Hasher | Promise<Sha256Hasher>;
}
