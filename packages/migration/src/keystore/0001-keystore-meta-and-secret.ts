import type { Migration } from '../runner/types.js';

/**
 * keystore.db v1. FROZEN: never edit after release (the runner checks checksums).
 *
 * `keystore_meta` is a single row naming the master key the file is encrypted under
 * (`key_id`, an HMAC fingerprint, never the key) and an encrypted canary, so a wrong key is
 * detected before any secret is touched. `keystore_secret` holds one AES-256-GCM ciphertext
 * per (service, id); the value itself is never stored in clear, and the metadata columns are
 * not secret.
 *
 * PostgreSQL (`postgres`, in the keystore's own schema, e.g. `cairn_keystore`): BLOB is
 * `bytea` (`length()` counts its bytes, as SQLite's does for a BLOB), INTEGER is `integer`.
 */
export const migration0001KeystoreMetaAndSecret: Migration = {
  version: 1,
  name: 'keystore_meta_and_secret',
  up: [
    `CREATE TABLE keystore_meta (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      format_version INTEGER NOT NULL,
      key_id TEXT NOT NULL,
      canary_nonce BLOB NOT NULL,
      canary_ciphertext BLOB NOT NULL,
      canary_tag BLOB NOT NULL,
      created_at TEXT NOT NULL,
      rotated_at TEXT
    )`,
    `CREATE TABLE keystore_secret (
      service TEXT NOT NULL,
      id TEXT NOT NULL,
      kind TEXT NOT NULL,
      label TEXT,
      version INTEGER NOT NULL CHECK (version >= 1),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      key_id TEXT NOT NULL,
      nonce BLOB NOT NULL CHECK (length(nonce) = 12),
      ciphertext BLOB NOT NULL,
      tag BLOB NOT NULL CHECK (length(tag) = 16),
      PRIMARY KEY (service, id)
    )`,
  ],
  down: ['DROP TABLE keystore_secret', 'DROP TABLE keystore_meta'],
  postgres: {
    up: [
      `CREATE TABLE keystore_meta (
      singleton integer PRIMARY KEY CHECK (singleton = 1),
      format_version integer NOT NULL,
      key_id text NOT NULL,
      canary_nonce bytea NOT NULL,
      canary_ciphertext bytea NOT NULL,
      canary_tag bytea NOT NULL,
      created_at text NOT NULL,
      rotated_at text
    )`,
      `CREATE TABLE keystore_secret (
      service text NOT NULL,
      id text NOT NULL,
      kind text NOT NULL,
      label text,
      version integer NOT NULL CHECK (version >= 1),
      created_at text NOT NULL,
      updated_at text NOT NULL,
      key_id text NOT NULL,
      nonce bytea NOT NULL CHECK (length(nonce) = 12),
      ciphertext bytea NOT NULL,
      tag bytea NOT NULL CHECK (length(tag) = 16),
      PRIMARY KEY (service, id)
    )`,
    ],
    down: ['DROP TABLE keystore_secret', 'DROP TABLE keystore_meta'],
  },
};
