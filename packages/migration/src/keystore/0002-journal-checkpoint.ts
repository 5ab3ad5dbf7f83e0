import type { Migration } from '../runner/types.js';

/**
 * keystore.db v2: signed checkpoints of gateway.db's journal. FROZEN: never edit after release.
 *
 * One row per workspace chain head recorded (its newest event's workspace_seq, position and
 * hash), signed with the journal signing key, an Ed25519 key kept as a keystore entry. They
 * live here, not in gateway.db, so that someone who cuts off or rewrites the journal cannot
 * move its anchor with it: without the key a record cannot be forged, and the key never
 * enters gateway.db. `kind` 'restore' rows are the markers `cairn restore` records.
 * `checkpoint_id` is the order of recording; old rows are pruned per workspace.
 *
 * PostgreSQL (`postgres`): `checkpoint_id` is a plain `integer` primary key with no identity
 * and no default: the keystore always writes it explicitly (max + 1 under its write lock).
 * SQLite would also assign one for a NULL (the rowid); PostgreSQL refuses a NULL instead.
 */
export const migration0002JournalCheckpoint: Migration = {
  version: 2,
  name: 'journal_checkpoint',
  up: [
    `CREATE TABLE keystore_journal_checkpoint (
      checkpoint_id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('startup', 'interval', 'shutdown', 'restore')),
      recorded_at TEXT NOT NULL,
      workspace_id TEXT NOT NULL,
      workspace_seq INTEGER NOT NULL CHECK (workspace_seq >= 0),
      position INTEGER NOT NULL,
      hash TEXT NOT NULL,
      restored_from TEXT,
      key_id TEXT NOT NULL,
      signature TEXT NOT NULL
    )`,
    'CREATE INDEX idx_keystore_journal_checkpoint_workspace ON keystore_journal_checkpoint (workspace_id, checkpoint_id)',
  ],
  down: ['DROP INDEX idx_keystore_journal_checkpoint_workspace', 'DROP TABLE keystore_journal_checkpoint'],
  postgres: {
    up: [
      `CREATE TABLE keystore_journal_checkpoint (
      checkpoint_id integer PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('startup', 'interval', 'shutdown', 'restore')),
      recorded_at text NOT NULL,
      workspace_id text NOT NULL,
      workspace_seq integer NOT NULL CHECK (workspace_seq >= 0),
      position integer NOT NULL,
      hash text NOT NULL,
      restored_from text,
      key_id text NOT NULL,
      signature text NOT NULL
    )`,
      'CREATE INDEX idx_keystore_journal_checkpoint_workspace ON keystore_journal_checkpoint (workspace_id, checkpoint_id)',
    ],
    down: ['DROP INDEX idx_keystore_journal_checkpoint_workspace', 'DROP TABLE keystore_journal_checkpoint'],
  },
};
