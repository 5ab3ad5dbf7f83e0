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
};
