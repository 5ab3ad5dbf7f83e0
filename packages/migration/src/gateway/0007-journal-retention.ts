import type { Migration } from '../runner/types.js';

const GENESIS = `'${'0'.repeat(64)}'`;

/**
 * gateway.db v7: journal retention. FROZEN: never edit after release.
 *
 * - `journal_retention` records, per workspace, the retention point: the newest event moved to
 *   an archive segment (its workspace_seq, position and hash). It only moves forward, and only
 *   to an event the journal still holds with that hash when it moves; it is never deleted.
 * - `journal_stream_retention` remembers the head of every stream whose events left the file,
 *   so the next event of that stream still gets stream_seq head + 1 (the insert trigger reads it).
 * - The one way rows leave `journal_event`: a DELETE of a v2 row of a workspace at or below its
 *   retention point, the workspace's oldest live row first, never its newest row. Every other
 *   DELETE (and every UPDATE) stays refused.
 *
 * PostgreSQL (`postgres`): the same tables and the same checks as PL/pgSQL trigger functions
 * (0002's style), plus BEFORE TRUNCATE refusals on both new tables (TRUNCATE fires no row
 * trigger). A BEFORE DELETE function must `RETURN OLD` to let the row go. Within one DELETE
 * statement a row trigger sees the rows the statement already removed, as SQLite's does, but
 * PostgreSQL promises no order among them: retention deletes one row per statement, oldest
 * first (crud's `retainJournal` does), or a multi-row DELETE may meet a newer row first and be
 * refused, whole.
 */
export const migration0007JournalRetention: Migration = {
  version: 7,
  name: 'journal_retention',
  up: [
    `CREATE TABLE "journal_retention" (
  "workspace_id" text PRIMARY KEY NOT NULL,
  "workspace_seq" integer NOT NULL,
  "position" integer NOT NULL,
  "hash" text NOT NULL,
  "retained_at" text NOT NULL
)`,
    `CREATE TABLE "journal_stream_retention" (
  "stream_type" text NOT NULL,
  "stream_id" text NOT NULL,
  "workspace_id" text NOT NULL,
  "stream_seq" integer NOT NULL,
  PRIMARY KEY ("stream_type", "stream_id")
)`,
    `CREATE TRIGGER "trg_journal_retention_insert" BEFORE INSERT ON "journal_retention"
BEGIN
  SELECT RAISE(ABORT, 'journal_retention: the retention point must be a live event of the workspace')
    WHERE NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "workspace_seq" = NEW."workspace_seq" AND "position" = NEW."position" AND "hash" = NEW."hash");
END`,
    `CREATE TRIGGER "trg_journal_retention_update" BEFORE UPDATE ON "journal_retention"
BEGIN
  SELECT RAISE(ABORT, 'journal_retention: the retention point only moves forward, to a live event of the workspace')
    WHERE NEW."workspace_id" IS NOT OLD."workspace_id" OR NEW."workspace_seq" <= OLD."workspace_seq"
      OR NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "workspace_seq" = NEW."workspace_seq" AND "position" = NEW."position" AND "hash" = NEW."hash");
END`,
    `CREATE TRIGGER "trg_journal_retention_no_delete" BEFORE DELETE ON "journal_retention"
BEGIN
  SELECT RAISE(ABORT, 'journal_retention: DELETE refused');
END`,
    `CREATE TRIGGER "trg_journal_stream_retention_update" BEFORE UPDATE ON "journal_stream_retention"
BEGIN
  SELECT RAISE(ABORT, 'journal_stream_retention: a stream head only moves forward')
    WHERE NEW."stream_type" IS NOT OLD."stream_type" OR NEW."stream_id" IS NOT OLD."stream_id" OR NEW."workspace_id" IS NOT OLD."workspace_id" OR NEW."stream_seq" < OLD."stream_seq";
END`,
    `CREATE TRIGGER "trg_journal_stream_retention_no_delete" BEFORE DELETE ON "journal_stream_retention"
BEGIN
  SELECT RAISE(ABORT, 'journal_stream_retention: DELETE refused');
END`,
    'DROP TRIGGER "trg_journal_event_no_delete"',
    `CREATE TRIGGER "trg_journal_event_no_delete" BEFORE DELETE ON "journal_event"
BEGIN
  SELECT RAISE(ABORT, 'journal_event is append-only: DELETE refused (only retention removes rows, at or below the retention point)')
    WHERE OLD."hash_version" IS NOT 2
      OR NOT EXISTS (SELECT 1 FROM "journal_retention" WHERE "workspace_id" = OLD."workspace_id" AND OLD."workspace_seq" <= "workspace_seq");
  SELECT RAISE(ABORT, 'journal_event retention: rows go oldest first')
    WHERE EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = OLD."workspace_id" AND "workspace_seq" < OLD."workspace_seq");
  SELECT RAISE(ABORT, 'journal_event retention: the newest event of a workspace stays')
    WHERE NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = OLD."workspace_id" AND "workspace_seq" > OLD."workspace_seq");
END`,
    'DROP TRIGGER "trg_journal_event_append"',
    `CREATE TRIGGER "trg_journal_event_append" BEFORE INSERT ON "journal_event"
BEGIN
  SELECT RAISE(ABORT, 'journal_event is append-only: new rows must use hash_version 2')
    WHERE NEW."hash_version" IS NOT 2;
  SELECT RAISE(ABORT, 'journal_event is append-only: position already taken')
    WHERE EXISTS (SELECT 1 FROM "journal_event" WHERE "position" = NEW."position");
  SELECT RAISE(ABORT, 'journal_event is append-only: workspace_seq must be the workspace head + 1')
    WHERE NEW."workspace_seq" IS NOT (SELECT coalesce(max("workspace_seq"), 0) + 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id");
  SELECT RAISE(ABORT, 'journal_event is append-only: prev_hash must be the hash of the workspace head, and position must follow it')
    WHERE CASE WHEN NEW."workspace_seq" = 1
      THEN NEW."prev_hash" IS NOT ${GENESIS} OR NOT NEW."position" > 0
      ELSE NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "workspace_seq" = NEW."workspace_seq" - 1 AND "hash" = NEW."prev_hash" AND "position" < NEW."position")
    END;
  SELECT RAISE(ABORT, 'journal_event is append-only: stream_seq must be the stream head + 1, in the same workspace')
    WHERE NEW."stream_seq" IS NOT (SELECT coalesce(max("stream_seq"), (SELECT "stream_seq" FROM "journal_stream_retention" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id"), 0) + 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id")
      OR (NEW."stream_seq" > 1
        AND NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id" AND "stream_seq" = NEW."stream_seq" - 1 AND "workspace_id" = NEW."workspace_id")
        AND NOT EXISTS (SELECT 1 FROM "journal_stream_retention" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id" AND "stream_seq" = NEW."stream_seq" - 1 AND "workspace_id" = NEW."workspace_id"));
  SELECT RAISE(ABORT, 'journal_event is append-only: idempotency key already used in this workspace')
    WHERE NEW."idempotency_key" IS NOT NULL AND EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "idempotency_key" = NEW."idempotency_key");
END`,
  ],
  down: [
    'DROP TRIGGER "trg_journal_event_append"',
    // 0006's trigger, as it was.
    `CREATE TRIGGER "trg_journal_event_append" BEFORE INSERT ON "journal_event"
BEGIN
  SELECT RAISE(ABORT, 'journal_event is append-only: new rows must use hash_version 2')
    WHERE NEW."hash_version" IS NOT 2;
  SELECT RAISE(ABORT, 'journal_event is append-only: position already taken')
    WHERE EXISTS (SELECT 1 FROM "journal_event" WHERE "position" = NEW."position");
  SELECT RAISE(ABORT, 'journal_event is append-only: workspace_seq must be the workspace head + 1')
    WHERE NEW."workspace_seq" IS NOT (SELECT coalesce(max("workspace_seq"), 0) + 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id");
  SELECT RAISE(ABORT, 'journal_event is append-only: prev_hash must be the hash of the workspace head, and position must follow it')
    WHERE CASE WHEN NEW."workspace_seq" = 1
      THEN NEW."prev_hash" IS NOT ${GENESIS} OR NOT NEW."position" > 0
      ELSE NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "workspace_seq" = NEW."workspace_seq" - 1 AND "hash" = NEW."prev_hash" AND "position" < NEW."position")
    END;
  SELECT RAISE(ABORT, 'journal_event is append-only: stream_seq must be the stream head + 1, in the same workspace')
    WHERE NEW."stream_seq" IS NOT (SELECT coalesce(max("stream_seq"), 0) + 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id")
      OR (NEW."stream_seq" > 1 AND NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id" AND "stream_seq" = NEW."stream_seq" - 1 AND "workspace_id" = NEW."workspace_id"));
  SELECT RAISE(ABORT, 'journal_event is append-only: idempotency key already used in this workspace')
    WHERE NEW."idempotency_key" IS NOT NULL AND EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "idempotency_key" = NEW."idempotency_key");
END`,
    'DROP TRIGGER "trg_journal_event_no_delete"',
    `CREATE TRIGGER "trg_journal_event_no_delete" BEFORE DELETE ON "journal_event"
BEGIN
  SELECT RAISE(ABORT, 'journal_event is append-only: DELETE refused');
END`,
    'DROP TRIGGER "trg_journal_stream_retention_no_delete"',
    'DROP TRIGGER "trg_journal_stream_retention_update"',
    'DROP TRIGGER "trg_journal_retention_no_delete"',
    'DROP TRIGGER "trg_journal_retention_update"',
    'DROP TRIGGER "trg_journal_retention_insert"',
    'DROP TABLE "journal_stream_retention"',
    'DROP TABLE "journal_retention"',
  ],
  postgres: {
    up: [
      `CREATE TABLE "journal_retention" (
  "workspace_id" text PRIMARY KEY NOT NULL,
  "workspace_seq" integer NOT NULL,
  "position" integer NOT NULL,
  "hash" text NOT NULL,
  "retained_at" text NOT NULL
)`,
      `CREATE TABLE "journal_stream_retention" (
  "stream_type" text NOT NULL,
  "stream_id" text NOT NULL,
  "workspace_id" text NOT NULL,
  "stream_seq" integer NOT NULL,
  PRIMARY KEY ("stream_type", "stream_id")
)`,
      `CREATE FUNCTION "trg_journal_retention_insert"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "workspace_seq" = NEW."workspace_seq" AND "position" = NEW."position" AND "hash" = NEW."hash") THEN
    RAISE EXCEPTION 'journal_retention: the retention point must be a live event of the workspace' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$`,
      `CREATE TRIGGER "trg_journal_retention_insert" BEFORE INSERT ON "journal_retention" FOR EACH ROW EXECUTE FUNCTION "trg_journal_retention_insert"()`,
      `CREATE FUNCTION "trg_journal_retention_update"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW."workspace_id" IS DISTINCT FROM OLD."workspace_id" OR NEW."workspace_seq" <= OLD."workspace_seq"
    OR NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "workspace_seq" = NEW."workspace_seq" AND "position" = NEW."position" AND "hash" = NEW."hash") THEN
    RAISE EXCEPTION 'journal_retention: the retention point only moves forward, to a live event of the workspace' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$`,
      `CREATE TRIGGER "trg_journal_retention_update" BEFORE UPDATE ON "journal_retention" FOR EACH ROW EXECUTE FUNCTION "trg_journal_retention_update"()`,
      `CREATE FUNCTION "trg_journal_retention_no_delete"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION 'journal_retention: DELETE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$`,
      `CREATE TRIGGER "trg_journal_retention_no_delete" BEFORE DELETE ON "journal_retention" FOR EACH ROW EXECUTE FUNCTION "trg_journal_retention_no_delete"()`,
      `CREATE TRIGGER "trg_journal_retention_no_truncate" BEFORE TRUNCATE ON "journal_retention" FOR EACH STATEMENT EXECUTE FUNCTION "trg_journal_no_truncate"()`,
      `CREATE FUNCTION "trg_journal_stream_retention_update"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW."stream_type" IS DISTINCT FROM OLD."stream_type" OR NEW."stream_id" IS DISTINCT FROM OLD."stream_id" OR NEW."workspace_id" IS DISTINCT FROM OLD."workspace_id" OR NEW."stream_seq" < OLD."stream_seq" THEN
    RAISE EXCEPTION 'journal_stream_retention: a stream head only moves forward' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$`,
      `CREATE TRIGGER "trg_journal_stream_retention_update" BEFORE UPDATE ON "journal_stream_retention" FOR EACH ROW EXECUTE FUNCTION "trg_journal_stream_retention_update"()`,
      `CREATE FUNCTION "trg_journal_stream_retention_no_delete"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION 'journal_stream_retention: DELETE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$`,
      `CREATE TRIGGER "trg_journal_stream_retention_no_delete" BEFORE DELETE ON "journal_stream_retention" FOR EACH ROW EXECUTE FUNCTION "trg_journal_stream_retention_no_delete"()`,
      `CREATE TRIGGER "trg_journal_stream_retention_no_truncate" BEFORE TRUNCATE ON "journal_stream_retention" FOR EACH STATEMENT EXECUTE FUNCTION "trg_journal_no_truncate"()`,
      `CREATE OR REPLACE FUNCTION "trg_journal_event_no_delete"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF OLD."hash_version" IS DISTINCT FROM 2
    OR NOT EXISTS (SELECT 1 FROM "journal_retention" WHERE "workspace_id" = OLD."workspace_id" AND OLD."workspace_seq" <= "workspace_seq") THEN
    RAISE EXCEPTION 'journal_event is append-only: DELETE refused (only retention removes rows, at or below the retention point)' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = OLD."workspace_id" AND "workspace_seq" < OLD."workspace_seq") THEN
    RAISE EXCEPTION 'journal_event retention: rows go oldest first' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = OLD."workspace_id" AND "workspace_seq" > OLD."workspace_seq") THEN
    RAISE EXCEPTION 'journal_event retention: the newest event of a workspace stays' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN OLD;
END
$$`,
      `CREATE OR REPLACE FUNCTION "trg_journal_event_append"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW."hash_version" IS DISTINCT FROM 2 THEN
    RAISE EXCEPTION 'journal_event is append-only: new rows must use hash_version 2' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM "journal_event" WHERE "position" = NEW."position") THEN
    RAISE EXCEPTION 'journal_event is append-only: position already taken' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."workspace_seq" IS DISTINCT FROM (SELECT coalesce(max("workspace_seq"), 0) + 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id") THEN
    RAISE EXCEPTION 'journal_event is append-only: workspace_seq must be the workspace head + 1' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (CASE WHEN NEW."workspace_seq" = 1
    THEN NEW."prev_hash" IS DISTINCT FROM ${GENESIS} OR NOT NEW."position" > 0
    ELSE NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "workspace_seq" = NEW."workspace_seq" - 1 AND "hash" = NEW."prev_hash" AND "position" < NEW."position")
  END) THEN
    RAISE EXCEPTION 'journal_event is append-only: prev_hash must be the hash of the workspace head, and position must follow it' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."stream_seq" IS DISTINCT FROM (SELECT coalesce(max("stream_seq"), (SELECT "stream_seq" FROM "journal_stream_retention" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id"), 0) + 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id")
    OR (NEW."stream_seq" > 1
      AND NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id" AND "stream_seq" = NEW."stream_seq" - 1 AND "workspace_id" = NEW."workspace_id")
      AND NOT EXISTS (SELECT 1 FROM "journal_stream_retention" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id" AND "stream_seq" = NEW."stream_seq" - 1 AND "workspace_id" = NEW."workspace_id")) THEN
    RAISE EXCEPTION 'journal_event is append-only: stream_seq must be the stream head + 1, in the same workspace' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."idempotency_key" IS NOT NULL AND EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "idempotency_key" = NEW."idempotency_key") THEN
    RAISE EXCEPTION 'journal_event is append-only: idempotency key already used in this workspace' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$`,
    ],
    down: [
      // 0006's append function and 0002's delete refusal, as they were.
      `CREATE OR REPLACE FUNCTION "trg_journal_event_append"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW."hash_version" IS DISTINCT FROM 2 THEN
    RAISE EXCEPTION 'journal_event is append-only: new rows must use hash_version 2' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM "journal_event" WHERE "position" = NEW."position") THEN
    RAISE EXCEPTION 'journal_event is append-only: position already taken' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."workspace_seq" IS DISTINCT FROM (SELECT coalesce(max("workspace_seq"), 0) + 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id") THEN
    RAISE EXCEPTION 'journal_event is append-only: workspace_seq must be the workspace head + 1' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (CASE WHEN NEW."workspace_seq" = 1
    THEN NEW."prev_hash" IS DISTINCT FROM ${GENESIS} OR NOT NEW."position" > 0
    ELSE NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "workspace_seq" = NEW."workspace_seq" - 1 AND "hash" = NEW."prev_hash" AND "position" < NEW."position")
  END) THEN
    RAISE EXCEPTION 'journal_event is append-only: prev_hash must be the hash of the workspace head, and position must follow it' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."stream_seq" IS DISTINCT FROM (SELECT coalesce(max("stream_seq"), 0) + 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id")
    OR (NEW."stream_seq" > 1 AND NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id" AND "stream_seq" = NEW."stream_seq" - 1 AND "workspace_id" = NEW."workspace_id")) THEN
    RAISE EXCEPTION 'journal_event is append-only: stream_seq must be the stream head + 1, in the same workspace' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW."idempotency_key" IS NOT NULL AND EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "idempotency_key" = NEW."idempotency_key") THEN
    RAISE EXCEPTION 'journal_event is append-only: idempotency key already used in this workspace' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$`,
      `CREATE OR REPLACE FUNCTION "trg_journal_event_no_delete"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION 'journal_event is append-only: DELETE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$`,
      'DROP TRIGGER "trg_journal_stream_retention_no_truncate" ON "journal_stream_retention"',
      'DROP TRIGGER "trg_journal_stream_retention_no_delete" ON "journal_stream_retention"',
      'DROP FUNCTION "trg_journal_stream_retention_no_delete"()',
      'DROP TRIGGER "trg_journal_stream_retention_update" ON "journal_stream_retention"',
      'DROP FUNCTION "trg_journal_stream_retention_update"()',
      'DROP TRIGGER "trg_journal_retention_no_truncate" ON "journal_retention"',
      'DROP TRIGGER "trg_journal_retention_no_delete" ON "journal_retention"',
      'DROP FUNCTION "trg_journal_retention_no_delete"()',
      'DROP TRIGGER "trg_journal_retention_update" ON "journal_retention"',
      'DROP FUNCTION "trg_journal_retention_update"()',
      'DROP TRIGGER "trg_journal_retention_insert" ON "journal_retention"',
      'DROP FUNCTION "trg_journal_retention_insert"()',
      'DROP TABLE "journal_stream_retention"',
      'DROP TABLE "journal_retention"',
    ],
  },
};
