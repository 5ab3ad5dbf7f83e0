import type { Migration } from '../runner/types.js';

const GENESIS = `'${'0'.repeat(64)}'`;

/**
 * gateway.db v6: the journal's hash chain becomes one chain per workspace, and the envelope
 * gains `thread_id`. FROZEN: never edit after release; change the schema with a new migration.
 *
 * - `hash_version` marks the encoding of each row's hash: 1 for every row written before this
 *   migration (the column's default: they keep their global chain, `cairn.journal.v1`), 2 for
 *   every row after (`cairn.journal.v2`, which also covers `thread_id`). New rows must be 2.
 * - A v2 row's `prev_hash` is the hash of the previous row OF ITS WORKSPACE (workspace_seq - 1,
 *   whatever that row's version), 64 zeros for a workspace's first row. So an append reads and
 *   checks only its own workspace's head: on PostgreSQL two appends to different workspaces
 *   lock nothing in common. `position` only orders rows (after its workspace's head); the
 *   trigger no longer asks for the global head + 1, which would be one row every append waits on.
 * - No insert may reuse a position, a workspace_seq, a stream_seq or an idempotency key, so
 *   `INSERT OR REPLACE` (which deletes the row it conflicts with without firing delete
 *   triggers) still never replaces a row; the position check is one primary-key lookup.
 * - A stream lives in one workspace (its previous event must be in the same workspace), so the
 *   stream head is covered by the workspace's lock too.
 * - UPDATE and DELETE stay refused by the triggers of v2, untouched.
 *
 * PostgreSQL (`postgres`): the same columns, and the append function of v2 replaced by one
 * with the same checks, in the same order. Plus `journal_event_position_seq` (integer, like
 * the column, started after the rows already there): a sequence that is NOT the column's
 * default (the entity declares no generated column), which crud's PostgreSQL write path draws
 * `position` from (`SELECT nextval('journal_event_position_seq')`) before its unchanged
 * INSERT, so appends to two workspaces never read or wait on a shared head. Gaps left by
 * rolled-back draws are fine: positions only order rows (the trigger checks growth within a
 * workspace and uniqueness).
 */
export const migration0006JournalChainPerWorkspace: Migration = {
  version: 6,
  name: 'journal_chain_per_workspace',
  up: [
    'ALTER TABLE "journal_event" ADD COLUMN "thread_id" text',
    'ALTER TABLE "journal_event" ADD COLUMN "hash_version" integer NOT NULL DEFAULT (1)',
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
    WHERE NEW."stream_seq" IS NOT (SELECT coalesce(max("stream_seq"), 0) + 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id")
      OR (NEW."stream_seq" > 1 AND NOT EXISTS (SELECT 1 FROM "journal_event" WHERE "stream_type" = NEW."stream_type" AND "stream_id" = NEW."stream_id" AND "stream_seq" = NEW."stream_seq" - 1 AND "workspace_id" = NEW."workspace_id"));
  SELECT RAISE(ABORT, 'journal_event is append-only: idempotency key already used in this workspace')
    WHERE NEW."idempotency_key" IS NOT NULL AND EXISTS (SELECT 1 FROM "journal_event" WHERE "workspace_id" = NEW."workspace_id" AND "idempotency_key" = NEW."idempotency_key");
END`,
  ],
  down: [
    'DROP TRIGGER "trg_journal_event_append"',
    'ALTER TABLE "journal_event" DROP COLUMN "hash_version"',
    'ALTER TABLE "journal_event" DROP COLUMN "thread_id"',
    // 0002's trigger, as it was.
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
  postgres: {
    up: [
      'ALTER TABLE "journal_event" ADD COLUMN "thread_id" text',
      'ALTER TABLE "journal_event" ADD COLUMN "hash_version" integer NOT NULL DEFAULT 1',
      'CREATE SEQUENCE "journal_event_position_seq" AS integer',
      `SELECT setval('"journal_event_position_seq"', coalesce(max("position"), 0) + 1, false) FROM "journal_event"`,
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
    ],
    down: [
      'DROP SEQUENCE "journal_event_position_seq"',
      'ALTER TABLE "journal_event" DROP COLUMN "hash_version"',
      'ALTER TABLE "journal_event" DROP COLUMN "thread_id"',
      // 0002's function, as it was.
      `CREATE OR REPLACE FUNCTION "trg_journal_event_append"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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
    ],
  },
};
