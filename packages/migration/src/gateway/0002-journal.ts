import type { Migration } from '../runner/types.js';

/**
 * gateway.db v2: the one append-only event journal (turn events now, task and audit events
 * later). FROZEN: never edit after release; change the schema with a new migration.
 *
 * - `position` is the INTEGER PRIMARY KEY (the rowid): the table's own b-tree is the index of
 *   the chain walk, so `verify` reads rows in chain order without a second index.
 * - The unique keys are also the read paths: (workspace_id, workspace_seq) serves
 *   `sync/resume` and the workspace head, (stream_type, stream_id, stream_seq) serves
 *   `readStream` and the stream head, (workspace_id, idempotency_key) the duplicate check
 *   (NULL keys never collide, in SQLite as in PostgreSQL).
 * - Rows are append-only BY THE DATABASE: updates and deletes abort. An insert must extend
 *   the heads by exactly one (position, workspace_seq, stream_seq) and may not reuse an
 *   idempotency key, which also closes `INSERT OR REPLACE`: REPLACE deletes the conflicting
 *   row without firing delete triggers, but no insert that passes this check can conflict.
 *   Retention, when it comes, is a later migration that says how it may remove rows.
 *
 * PostgreSQL (`postgres`): the same table, and the same refusals as PL/pgSQL trigger
 * functions (one per trigger, named like it), raising SQLSTATE 23000 with SQLite's messages.
 * - `position` is a plain `integer` primary key: the rows carry explicit values (crud inserts
 *   them), as the entity says; no identity, no default.
 * - Each function pins `search_path` to the migrated schema (`SET search_path FROM CURRENT`;
 *   the runner sets it for the migration), so the unqualified names in its body always mean
 *   this schema's tables, whatever the caller's search_path.
 * - A statement-level BEFORE TRUNCATE trigger refuses TRUNCATE, which fires no row trigger
 *   (SQLite has no TRUNCATE, and its DELETE optimisation is off on tables with triggers).
 * - `INSERT ... ON CONFLICT DO UPDATE` fires the UPDATE trigger and is refused; there is no
 *   `INSERT OR REPLACE`.
 * - Under READ COMMITTED two concurrent inserts may both pass the head checks; the UNIQUE keys
 *   (position, workspace_seq, stream_seq, idempotency key) then refuse the second, so the
 *   journal still never forks.
 */
export const migration0002Journal: Migration = {
  version: 2,
  name: 'journal',
  up: [
    `CREATE TABLE "journal_event" (
  "position" integer PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "workspace_seq" integer NOT NULL,
  "stream_type" text NOT NULL,
  "stream_id" text NOT NULL,
  "stream_seq" integer NOT NULL,
  "type" text NOT NULL,
  "payload" text NOT NULL,
  "idempotency_key" text,
  "recorded_at" text NOT NULL,
  "prev_hash" text NOT NULL,
  "hash" text NOT NULL,
  CONSTRAINT "uq_journal_event_workspace_seq" UNIQUE ("workspace_id", "workspace_seq"),
  CONSTRAINT "uq_journal_event_stream_seq" UNIQUE ("stream_type", "stream_id", "stream_seq"),
  CONSTRAINT "uq_journal_event_idempotency" UNIQUE ("workspace_id", "idempotency_key")
)`,
    `CREATE TRIGGER "trg_journal_event_no_update" BEFORE UPDATE ON "journal_event"
BEGIN
  SELECT RAISE(ABORT, 'journal_event is append-only: UPDATE refused');
END`,
    `CREATE TRIGGER "trg_journal_event_no_delete" BEFORE DELETE ON "journal_event"
BEGIN
  SELECT RAISE(ABORT, 'journal_event is append-only: DELETE refused');
END`,
    `CREATE TRIGGER "trg_journal_event_append" BEFORE INSERT ON "journal_event"
BEGIN
  SELECT RAISE(ABORT, 'journal_event is append-only: position must be the head + 1')
    WHERE NEW."position" IS NOT (SELECT coalesce(max("position"), 0) + 1 FROM "journal_event");
  SELECT RAISE(ABORT, 'journal_event is append-only: workspace_seq must be the workspace head + 1')
    WHERE NEW."workspace_seq" IS NOT (SELECT coalesce(max("workspace_seq"), 0) + 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id");
  SELECT RAISE(ABORT, 'journal_event is append-only: stream_seq must be the stream head + 1')
    WHERE NEW."stream_seq" IS NOT (SELECT coalesce(max("stream_seq"), 0) + 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id");
  SELECT RAISE(ABORT, 'journal_event is append-only: idempotency key already used in this workspace')
    WHERE NEW."idempotency_key" IS NOT NULL AND EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "idempotency_key" = NEW."idempotency_key");
END`,
  ],
  down: [
    `DROP TRIGGER "trg_journal_event_append"`,
    `DROP TRIGGER "trg_journal_event_no_delete"`,
    `DROP TRIGGER "trg_journal_event_no_update"`,
    `DROP TABLE "journal_event"`,
  ],
  postgres: {
    up: [
      `CREATE TABLE "journal_event" (
  "position" integer PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "workspace_seq" integer NOT NULL,
  "stream_type" text NOT NULL,
  "stream_id" text NOT NULL,
  "stream_seq" integer NOT NULL,
  "type" text NOT NULL,
  "payload" text NOT NULL,
  "idempotency_key" text,
  "recorded_at" text NOT NULL,
  "prev_hash" text NOT NULL,
  "hash" text NOT NULL,
  CONSTRAINT "uq_journal_event_workspace_seq" UNIQUE ("workspace_id", "workspace_seq"),
  CONSTRAINT "uq_journal_event_stream_seq" UNIQUE ("stream_type", "stream_id", "stream_seq"),
  CONSTRAINT "uq_journal_event_idempotency" UNIQUE ("workspace_id", "idempotency_key")
)`,
      `CREATE FUNCTION "trg_journal_event_no_update"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION 'journal_event is append-only: UPDATE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$`,
      `CREATE TRIGGER "trg_journal_event_no_update" BEFORE UPDATE ON "journal_event" FOR EACH ROW EXECUTE FUNCTION "trg_journal_event_no_update"()`,
      `CREATE FUNCTION "trg_journal_event_no_delete"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION 'journal_event is append-only: DELETE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$`,
      `CREATE TRIGGER "trg_journal_event_no_delete" BEFORE DELETE ON "journal_event" FOR EACH ROW EXECUTE FUNCTION "trg_journal_event_no_delete"()`,
      `CREATE FUNCTION "trg_journal_no_truncate"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END
$$`,
      `CREATE TRIGGER "trg_journal_event_no_truncate" BEFORE TRUNCATE ON "journal_event" FOR EACH STATEMENT EXECUTE FUNCTION "trg_journal_no_truncate"()`,
      `CREATE FUNCTION "trg_journal_event_append"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW."position" IS DISTINCT FROM (SELECT coalesce(max("position"), 0) + 1 FROM "journal_event") THEN
    RAISE EXCEPTION 'journal_event is append-only: position must be the head + 1' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."workspace_seq" IS DISTINCT FROM (SELECT coalesce(max("workspace_seq"), 0) + 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id") THEN
    RAISE EXCEPTION 'journal_event is append-only: workspace_seq must be the workspace head + 1' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."stream_seq" IS DISTINCT FROM (SELECT coalesce(max("stream_seq"), 0) + 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id") THEN
    RAISE EXCEPTION 'journal_event is append-only: stream_seq must be the stream head + 1' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."idempotency_key" IS NOT NULL AND EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "idempotency_key" = NEW."idempotency_key") THEN
    RAISE EXCEPTION 'journal_event is append-only: idempotency key already used in this workspace' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$`,
      `CREATE TRIGGER "trg_journal_event_append" BEFORE INSERT ON "journal_event" FOR EACH ROW EXECUTE FUNCTION "trg_journal_event_append"()`,
    ],
    down: [
      `DROP TRIGGER "trg_journal_event_append" ON "journal_event"`,
      `DROP FUNCTION "trg_journal_event_append"()`,
      `DROP TRIGGER "trg_journal_event_no_truncate" ON "journal_event"`,
      `DROP FUNCTION "trg_journal_no_truncate"()`,
      `DROP TRIGGER "trg_journal_event_no_delete" ON "journal_event"`,
      `DROP FUNCTION "trg_journal_event_no_delete"()`,
      `DROP TRIGGER "trg_journal_event_no_update" ON "journal_event"`,
      `DROP FUNCTION "trg_journal_event_no_update"()`,
      `DROP TABLE "journal_event"`,
    ],
  },
};
