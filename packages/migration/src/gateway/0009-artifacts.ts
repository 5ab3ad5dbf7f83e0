import type { Migration } from '../runner/types.js';

/**
 * gateway.db v9: artifacts. FROZEN: never edit after release.
 *
 * - `artifact` is the logical file (`artifact_id` stays across versions, soft delete and
 *   restore); its row copies the current version's fields so a listing joins nothing else.
 *   `restore_status` is the status a soft delete replaced; `thread_id` the first thread it was
 *   bound to (where its events are routed). Listed newest first per workspace.
 * - `artifact_version` is one immutable, blob-backed version, numbered per artifact (UNIQUE).
 *   `(workspace_id, sha256)` serves GC's "does a version still reference this blob".
 * - `artifact_binding` ties an artifact (or one pinned version) to a scope. Listing by thread,
 *   turn and message seeks `(workspace_id, <scope>, created_at, binding_id)`: keyset pages,
 *   never file paths. `binding_key` is the binding's canonical identity, UNIQUE per artifact,
 *   so the same binding twice is one row.
 * - `artifact_projection` is one derived view per (version, kind): pending until a worker
 *   claims (`claim_owner`, `claim_expires_at`) and records it. `(status, claim_expires_at)`
 *   serves the claim; `(workspace_id, blob_sha256)` GC's thumbnail check.
 * - Bookkeeping beside the journal (no event, no rebuild): `artifact_blob` (one row per stored
 *   content address per workspace, the size the quota counts), `artifact_upload_session`
 *   (rows of uploads in flight: compare-and-set offset, opaque hash state),
 *   `artifact_external_ref` (provider copies, keyed with `''` for an absent version or model
 *   family so the key is a plain primary key), `artifact_usage` (per-workspace counters).
 *   They carry no foreign key to the journaled tables, which a rebuild empties.
 * - Sizes are `bigint` (a workspace holds more than 2^31 bytes).
 *
 * PostgreSQL (`postgres`): the same statements; nothing here is dialect-specific.
 */
const UP = [
  `CREATE TABLE "artifact_blob" (
  "workspace_id" text NOT NULL,
  "sha256" text NOT NULL,
  "size_bytes" bigint NOT NULL,
  "created_at" text NOT NULL,
  "verified_at" text,
  CONSTRAINT "fk_artifact_blob_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  PRIMARY KEY ("workspace_id", "sha256")
)`,
  `CREATE INDEX "idx_artifact_blob_created" ON "artifact_blob" ("created_at")`,
  `CREATE TABLE "artifact" (
  "artifact_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "name" text NOT NULL,
  "kind" text NOT NULL,
  "mime_type" text NOT NULL,
  "status" text NOT NULL,
  "restore_status" text,
  "source_kind" text NOT NULL,
  "current_version_id" text NOT NULL,
  "version_count" integer NOT NULL,
  "sha256" text NOT NULL,
  "size_bytes" bigint NOT NULL,
  "thread_id" text,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  "deleted_at" text,
  "last_seq" integer NOT NULL,
  CONSTRAINT "fk_artifact_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id")
)`,
  `CREATE INDEX "idx_artifact_workspace_created" ON "artifact" ("workspace_id", "created_at", "artifact_id")`,
  `CREATE TABLE "artifact_version" (
  "version_id" text PRIMARY KEY NOT NULL,
  "artifact_id" text NOT NULL,
  "workspace_id" text NOT NULL,
  "version_number" integer NOT NULL,
  "sha256" text NOT NULL,
  "size_bytes" bigint NOT NULL,
  "name" text NOT NULL,
  "mime_type" text NOT NULL,
  "kind" text NOT NULL,
  "source_kind" text NOT NULL,
  "created_at" text NOT NULL,
  CONSTRAINT "uq_artifact_version_number" UNIQUE ("artifact_id", "version_number"),
  CONSTRAINT "fk_artifact_version_artifact" FOREIGN KEY ("artifact_id") REFERENCES "artifact" ("artifact_id")
)`,
  `CREATE INDEX "idx_artifact_version_blob" ON "artifact_version" ("workspace_id", "sha256")`,
  `CREATE TABLE "artifact_binding" (
  "binding_id" text PRIMARY KEY NOT NULL,
  "artifact_id" text NOT NULL,
  "version_id" text,
  "workspace_id" text NOT NULL,
  "binding_kind" text NOT NULL,
  "direction" text NOT NULL,
  "scope" text NOT NULL,
  "binding_key" text NOT NULL,
  "thread_id" text,
  "turn_id" text,
  "message_id" text,
  "item_id" text,
  "tool_call_id" text,
  "task_id" text,
  "task_run_id" text,
  "created_at" text NOT NULL,
  CONSTRAINT "uq_artifact_binding_key" UNIQUE ("artifact_id", "binding_key"),
  CONSTRAINT "fk_artifact_binding_artifact" FOREIGN KEY ("artifact_id") REFERENCES "artifact" ("artifact_id")
)`,
  `CREATE INDEX "idx_artifact_binding_thread" ON "artifact_binding" ("workspace_id", "thread_id", "created_at", "binding_id")`,
  `CREATE INDEX "idx_artifact_binding_turn" ON "artifact_binding" ("workspace_id", "turn_id", "created_at", "binding_id")`,
  `CREATE INDEX "idx_artifact_binding_message" ON "artifact_binding" ("workspace_id", "message_id", "created_at", "binding_id")`,
  `CREATE TABLE "artifact_projection" (
  "version_id" text NOT NULL,
  "kind" text NOT NULL,
  "artifact_id" text NOT NULL,
  "workspace_id" text NOT NULL,
  "status" text NOT NULL,
  "text" text,
  "blob_sha256" text,
  "summary" text,
  "error" text,
  "attempts" integer NOT NULL,
  "claim_owner" text,
  "claim_expires_at" text,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  CONSTRAINT "fk_artifact_projection_version" FOREIGN KEY ("version_id") REFERENCES "artifact_version" ("version_id"),
  PRIMARY KEY ("version_id", "kind")
)`,
  `CREATE INDEX "idx_artifact_projection_claim" ON "artifact_projection" ("status", "claim_expires_at", "created_at")`,
  `CREATE INDEX "idx_artifact_projection_blob" ON "artifact_projection" ("workspace_id", "blob_sha256")`,
  `CREATE TABLE "artifact_external_ref" (
  "workspace_id" text NOT NULL,
  "artifact_id" text NOT NULL,
  "version_key" text NOT NULL,
  "provider" text NOT NULL,
  "model_family" text NOT NULL,
  "transport_kind" text NOT NULL,
  "external_id" text NOT NULL,
  "created_at" text NOT NULL,
  "expires_at" text,
  PRIMARY KEY ("workspace_id", "artifact_id", "version_key", "provider", "model_family", "transport_kind")
)`,
  `CREATE INDEX "idx_artifact_external_ref_expires" ON "artifact_external_ref" ("expires_at")`,
  `CREATE TABLE "artifact_upload_session" (
  "upload_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "token_id" text NOT NULL,
  "thread_id" text,
  "turn_id" text,
  "artifact_id" text,
  "file_name" text NOT NULL,
  "mime_type" text NOT NULL,
  "size_bytes" bigint NOT NULL,
  "sha256" text NOT NULL,
  "source_kind" text NOT NULL,
  "chunk_size" integer NOT NULL,
  "received_bytes" bigint NOT NULL,
  "hash_state" text,
  "status" text NOT NULL,
  "version_id" text,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  "expires_at" text NOT NULL,
  CONSTRAINT "fk_artifact_upload_session_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id")
)`,
  `CREATE INDEX "idx_artifact_upload_session_expires" ON "artifact_upload_session" ("status", "expires_at")`,
  `CREATE INDEX "idx_artifact_upload_session_blob" ON "artifact_upload_session" ("workspace_id", "sha256")`,
  `CREATE TABLE "artifact_usage" (
  "workspace_id" text PRIMARY KEY NOT NULL,
  "bytes" bigint NOT NULL,
  "files" bigint NOT NULL,
  "updated_at" text NOT NULL,
  CONSTRAINT "fk_artifact_usage_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id")
)`,
];

const DOWN = [
  `DROP TABLE "artifact_usage"`,
  `DROP INDEX "idx_artifact_upload_session_blob"`,
  `DROP INDEX "idx_artifact_upload_session_expires"`,
  `DROP TABLE "artifact_upload_session"`,
  `DROP INDEX "idx_artifact_external_ref_expires"`,
  `DROP TABLE "artifact_external_ref"`,
  `DROP INDEX "idx_artifact_projection_blob"`,
  `DROP INDEX "idx_artifact_projection_claim"`,
  `DROP TABLE "artifact_projection"`,
  `DROP INDEX "idx_artifact_binding_message"`,
  `DROP INDEX "idx_artifact_binding_turn"`,
  `DROP INDEX "idx_artifact_binding_thread"`,
  `DROP TABLE "artifact_binding"`,
  `DROP INDEX "idx_artifact_version_blob"`,
  `DROP TABLE "artifact_version"`,
  `DROP INDEX "idx_artifact_workspace_created"`,
  `DROP TABLE "artifact"`,
  `DROP INDEX "idx_artifact_blob_created"`,
  `DROP TABLE "artifact_blob"`,
];

export const migration0009Artifacts: Migration = {
  version: 9,
  name: 'artifacts',
  up: UP,
  down: DOWN,
  postgres: { up: UP, down: DOWN },
};
