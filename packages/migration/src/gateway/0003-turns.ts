import type { Migration } from '../runner/types.js';

/**
 * gateway.db v3: the turn read models (turns, their input, status history, items, attempts,
 * timeline) and the full-text index over turn inputs and item text. FROZEN: never edit after
 * release; change the schema with a new migration.
 *
 * Every row here is a projection of the journal (migration 0002), written by crud's
 * `TurnProjector` in the transaction that appended the event, and can be emptied and rebuilt
 * from it. Written in the shape TypeORM emits for SQLite (see 0001) so that the entity/schema
 * comparison test can read the constraint names back.
 *
 * - `turn_id` is unique across the gateway; item ids are unique within their turn, so item
 *   keys are (turn_id, item_id) and attempts hang off that composite key.
 * - UNIQUE (thread_id, thread_seq) and UNIQUE (turn_id, ordinal) are the history and item
 *   page orders. The status indexes serve startup repair: open items, running attempts and
 *   terminal turns without completion time are found by index seeks, never by scanning the
 *   (mostly finished) rest.
 * - `turn_search` is an FTS5 table: SQLite-specific by nature, like the triggers of 0002.
 *
 * PostgreSQL (`postgres`): the read-model tables as on SQLite. `turn_search` is a plain table
 * (not an entity, so TypeORM's schema builder never looks at it) that crud's PostgreSQL
 * `SearchIndex` writes with the very INSERT the FTS5 index uses:
 *
 *   INSERT INTO turn_search (body, workspace_id, thread_id, turn_id, item_id, at) VALUES ($1, ..., $6)
 *
 * - `search_id` (identity, never written) is the row's key: PostgreSQL has no rowid, and a
 *   table without a key cannot replicate its DELETEs logically.
 * - `document` is GENERATED from `body`, so no writer can index text other than the body it
 *   stores: `to_tsvector('simple', ...)` over the body with diacritics removed (NFD, then the
 *   combining marks U+0300..U+036F dropped). That is FTS5's `unicode61 remove_diacritics 2`
 *   (lower case, no stemming, accents ignored) without the `unaccent` extension, which would
 *   need a superuser and is not immutable. Needs a UTF8 database (`normalize`).
 * - Queries: `document @@ to_tsquery('simple', <terms, each folded the same way, last one
 *   with :*>)` for FTS5's prefix match, `ts_rank(document, query)` for `rank`,
 *   `ts_headline('simple', body, query)` for `snippet()`. The GIN index serves `@@`; the
 *   btree on (workspace_id, thread_id) serves the workspace and thread filters and the
 *   rebuild's deletes.
 */
export const migration0003Turns: Migration = {
  version: 3,
  name: 'turns',
  up: [
    `CREATE TABLE "turn" (
  "turn_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "thread_seq" integer NOT NULL,
  "status" text NOT NULL,
  "sandbox_policy" text,
  "model" text,
  "error" text,
  "usage" text,
  "item_count" integer NOT NULL,
  "open_recoveries" integer NOT NULL,
  "last_seq" integer NOT NULL,
  "started_at" text NOT NULL,
  "updated_at" text NOT NULL,
  "completed_at" text,
  CONSTRAINT "uq_turn_thread_seq" UNIQUE ("thread_id", "thread_seq"),
  CONSTRAINT "fk_turn_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_turn_thread" FOREIGN KEY ("thread_id") REFERENCES "thread" ("thread_id")
)`,
    `CREATE INDEX "idx_turn_status_completed" ON "turn" ("status", "completed_at")`,
    `CREATE TABLE "turn_input" (
  "turn_id" text NOT NULL,
  "ordinal" integer NOT NULL,
  "kind" text NOT NULL,
  "text" text,
  "attachment_id" text,
  "name" text,
  "mime_type" text,
  CONSTRAINT "fk_turn_input_turn" FOREIGN KEY ("turn_id") REFERENCES "turn" ("turn_id"),
  PRIMARY KEY ("turn_id", "ordinal")
)`,
    `CREATE TABLE "turn_status_change" (
  "turn_id" text NOT NULL,
  "seq" integer NOT NULL,
  "from_status" text,
  "to_status" text NOT NULL,
  "reason" text,
  "changed_at" text NOT NULL,
  CONSTRAINT "fk_turn_status_change_turn" FOREIGN KEY ("turn_id") REFERENCES "turn" ("turn_id"),
  PRIMARY KEY ("turn_id", "seq")
)`,
    `CREATE TABLE "turn_item" (
  "turn_id" text NOT NULL,
  "item_id" text NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "ordinal" integer NOT NULL,
  "item_type" text NOT NULL,
  "status" text NOT NULL,
  "attempt" integer NOT NULL,
  "text" text,
  "payload" text,
  "error" text,
  "reason" text,
  "timeout_ms" integer,
  "started_at" text NOT NULL,
  "updated_at" text NOT NULL,
  "completed_at" text,
  "timed_out_at" text,
  "retry_due_at" text,
  CONSTRAINT "uq_turn_item_ordinal" UNIQUE ("turn_id", "ordinal"),
  CONSTRAINT "fk_turn_item_turn" FOREIGN KEY ("turn_id") REFERENCES "turn" ("turn_id"),
  PRIMARY KEY ("turn_id", "item_id")
)`,
    `CREATE INDEX "idx_turn_item_status" ON "turn_item" ("status", "timed_out_at")`,
    `CREATE TABLE "turn_item_attempt" (
  "turn_id" text NOT NULL,
  "item_id" text NOT NULL,
  "attempt" integer NOT NULL,
  "status" text NOT NULL,
  "started_at" text NOT NULL,
  "ended_at" text,
  "reason" text,
  CONSTRAINT "fk_turn_item_attempt_item" FOREIGN KEY ("turn_id", "item_id") REFERENCES "turn_item" ("turn_id", "item_id"),
  PRIMARY KEY ("turn_id", "item_id", "attempt")
)`,
    `CREATE INDEX "idx_turn_item_attempt_status" ON "turn_item_attempt" ("status")`,
    `CREATE TABLE "turn_timeline_entry" (
  "turn_id" text NOT NULL,
  "seq" integer NOT NULL,
  "workspace_seq" integer NOT NULL,
  "type" text NOT NULL,
  "item_id" text,
  "attempt" integer,
  "status" text,
  "detail" text,
  "at" text NOT NULL,
  CONSTRAINT "fk_turn_timeline_entry_turn" FOREIGN KEY ("turn_id") REFERENCES "turn" ("turn_id"),
  PRIMARY KEY ("turn_id", "seq")
)`,
    `CREATE VIRTUAL TABLE "turn_search" USING fts5(
  "body",
  "workspace_id" UNINDEXED,
  "thread_id" UNINDEXED,
  "turn_id" UNINDEXED,
  "item_id" UNINDEXED,
  "at" UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 2'
)`,
  ],
  down: [
    `DROP TABLE "turn_search"`,
    `DROP TABLE "turn_timeline_entry"`,
    `DROP INDEX "idx_turn_item_attempt_status"`,
    `DROP TABLE "turn_item_attempt"`,
    `DROP INDEX "idx_turn_item_status"`,
    `DROP TABLE "turn_item"`,
    `DROP TABLE "turn_status_change"`,
    `DROP TABLE "turn_input"`,
    `DROP INDEX "idx_turn_status_completed"`,
    `DROP TABLE "turn"`,
  ],
  postgres: {
    up: [
      `CREATE TABLE "turn" (
  "turn_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "thread_seq" integer NOT NULL,
  "status" text NOT NULL,
  "sandbox_policy" text,
  "model" text,
  "error" text,
  "usage" text,
  "item_count" integer NOT NULL,
  "open_recoveries" integer NOT NULL,
  "last_seq" integer NOT NULL,
  "started_at" text NOT NULL,
  "updated_at" text NOT NULL,
  "completed_at" text,
  CONSTRAINT "uq_turn_thread_seq" UNIQUE ("thread_id", "thread_seq"),
  CONSTRAINT "fk_turn_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_turn_thread" FOREIGN KEY ("thread_id") REFERENCES "thread" ("thread_id")
)`,
      `CREATE INDEX "idx_turn_status_completed" ON "turn" ("status", "completed_at")`,
      `CREATE TABLE "turn_input" (
  "turn_id" text NOT NULL,
  "ordinal" integer NOT NULL,
  "kind" text NOT NULL,
  "text" text,
  "attachment_id" text,
  "name" text,
  "mime_type" text,
  CONSTRAINT "fk_turn_input_turn" FOREIGN KEY ("turn_id") REFERENCES "turn" ("turn_id"),
  PRIMARY KEY ("turn_id", "ordinal")
)`,
      `CREATE TABLE "turn_status_change" (
  "turn_id" text NOT NULL,
  "seq" integer NOT NULL,
  "from_status" text,
  "to_status" text NOT NULL,
  "reason" text,
  "changed_at" text NOT NULL,
  CONSTRAINT "fk_turn_status_change_turn" FOREIGN KEY ("turn_id") REFERENCES "turn" ("turn_id"),
  PRIMARY KEY ("turn_id", "seq")
)`,
      `CREATE TABLE "turn_item" (
  "turn_id" text NOT NULL,
  "item_id" text NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "ordinal" integer NOT NULL,
  "item_type" text NOT NULL,
  "status" text NOT NULL,
  "attempt" integer NOT NULL,
  "text" text,
  "payload" text,
  "error" text,
  "reason" text,
  "timeout_ms" integer,
  "started_at" text NOT NULL,
  "updated_at" text NOT NULL,
  "completed_at" text,
  "timed_out_at" text,
  "retry_due_at" text,
  CONSTRAINT "uq_turn_item_ordinal" UNIQUE ("turn_id", "ordinal"),
  CONSTRAINT "fk_turn_item_turn" FOREIGN KEY ("turn_id") REFERENCES "turn" ("turn_id"),
  PRIMARY KEY ("turn_id", "item_id")
)`,
      `CREATE INDEX "idx_turn_item_status" ON "turn_item" ("status", "timed_out_at")`,
      `CREATE TABLE "turn_item_attempt" (
  "turn_id" text NOT NULL,
  "item_id" text NOT NULL,
  "attempt" integer NOT NULL,
  "status" text NOT NULL,
  "started_at" text NOT NULL,
  "ended_at" text,
  "reason" text,
  CONSTRAINT "fk_turn_item_attempt_item" FOREIGN KEY ("turn_id", "item_id") REFERENCES "turn_item" ("turn_id", "item_id"),
  PRIMARY KEY ("turn_id", "item_id", "attempt")
)`,
      `CREATE INDEX "idx_turn_item_attempt_status" ON "turn_item_attempt" ("status")`,
      `CREATE TABLE "turn_timeline_entry" (
  "turn_id" text NOT NULL,
  "seq" integer NOT NULL,
  "workspace_seq" integer NOT NULL,
  "type" text NOT NULL,
  "item_id" text,
  "attempt" integer,
  "status" text,
  "detail" text,
  "at" text NOT NULL,
  CONSTRAINT "fk_turn_timeline_entry_turn" FOREIGN KEY ("turn_id") REFERENCES "turn" ("turn_id"),
  PRIMARY KEY ("turn_id", "seq")
)`,
      `CREATE TABLE "turn_search" (
  "search_id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "body" text NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "turn_id" text NOT NULL,
  "item_id" text,
  "at" text NOT NULL,
  "document" tsvector NOT NULL GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, regexp_replace(normalize("body", NFD), '[\\u0300-\\u036f]', '', 'g'))) STORED
)`,
      `CREATE INDEX "idx_turn_search_document" ON "turn_search" USING gin ("document")`,
      `CREATE INDEX "idx_turn_search_workspace" ON "turn_search" ("workspace_id", "thread_id")`,
    ],
    down: [
      `DROP INDEX "idx_turn_search_workspace"`,
      `DROP INDEX "idx_turn_search_document"`,
      `DROP TABLE "turn_search"`,
      `DROP TABLE "turn_timeline_entry"`,
      `DROP INDEX "idx_turn_item_attempt_status"`,
      `DROP TABLE "turn_item_attempt"`,
      `DROP INDEX "idx_turn_item_status"`,
      `DROP TABLE "turn_item"`,
      `DROP TABLE "turn_status_change"`,
      `DROP TABLE "turn_input"`,
      `DROP INDEX "idx_turn_status_completed"`,
      `DROP TABLE "turn"`,
    ],
  },
};
