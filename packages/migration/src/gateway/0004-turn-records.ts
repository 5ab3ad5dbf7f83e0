import type { Migration } from '../runner/types.js';

/**
 * gateway.db v4: the turn records (prompt manifests, skill and MCP bindings, retained LLM
 * context, recovery jobs, the attachment upload registry). FROZEN: never edit after release;
 * change the schema with a new migration.
 *
 * Written in the shape TypeORM emits for SQLite (the crud schema test compares it with the
 * entities). No foreign key points at the turn table: attachments are registered before
 * their turn starts (turn ids are client-chosen), and the other rows are projections checked
 * by the projector, which also keeps rebuild order free. `recovery_job.ready_at` is when a
 * job may next be claimed (due time while pending, lease end while claimed, NULL once
 * closed): one index range scan finds due jobs and expired claims alike.
 */
const UP = [
  `CREATE TABLE "turn_prompt_manifest" (
  "turn_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "prompt_id" text NOT NULL,
  "prompt_version" text NOT NULL,
  "prompt_sha256" text NOT NULL,
  "skills" text NOT NULL,
  "tools" text NOT NULL,
  "manifest_sha256" text NOT NULL,
  "recorded_at" text NOT NULL,
  "event_position" integer NOT NULL,
  CONSTRAINT "fk_turn_prompt_manifest_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_turn_prompt_manifest_thread" FOREIGN KEY ("thread_id") REFERENCES "thread" ("thread_id")
)`,
  `CREATE INDEX "idx_turn_prompt_manifest_prompt" ON "turn_prompt_manifest" ("workspace_id", "prompt_id", "prompt_version")`,
  `CREATE TABLE "turn_skill_binding" (
  "turn_id" text NOT NULL,
  "skill_id" text NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "version" text NOT NULL,
  "sha256" text,
  "bound_at" text NOT NULL,
  "event_position" integer NOT NULL,
  CONSTRAINT "fk_turn_skill_binding_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_turn_skill_binding_thread" FOREIGN KEY ("thread_id") REFERENCES "thread" ("thread_id"),
  PRIMARY KEY ("turn_id", "skill_id")
)`,
  `CREATE INDEX "idx_turn_skill_binding_skill" ON "turn_skill_binding" ("workspace_id", "skill_id", "version")`,
  `CREATE TABLE "turn_mcp_binding" (
  "turn_id" text NOT NULL,
  "server_id" text NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "server_version" text,
  "tool_names" text NOT NULL,
  "policy" text NOT NULL,
  "binding_sha256" text NOT NULL,
  "bound_at" text NOT NULL,
  "event_position" integer NOT NULL,
  CONSTRAINT "fk_turn_mcp_binding_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_turn_mcp_binding_thread" FOREIGN KEY ("thread_id") REFERENCES "thread" ("thread_id"),
  PRIMARY KEY ("turn_id", "server_id")
)`,
  `CREATE INDEX "idx_turn_mcp_binding_server" ON "turn_mcp_binding" ("workspace_id", "server_id")`,
  `CREATE TABLE "turn_llm_context" (
  "turn_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "revision" integer NOT NULL,
  "content" text NOT NULL,
  "sha256" text NOT NULL,
  "size_bytes" integer NOT NULL,
  "message_count" integer NOT NULL,
  "retained_at" text NOT NULL,
  "turn_terminal_at" text,
  "event_position" integer NOT NULL,
  CONSTRAINT "fk_turn_llm_context_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_turn_llm_context_thread" FOREIGN KEY ("thread_id") REFERENCES "thread" ("thread_id")
)`,
  `CREATE INDEX "idx_turn_llm_context_terminal" ON "turn_llm_context" ("turn_terminal_at")`,
  `CREATE TABLE "recovery_job" (
  "job_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "turn_id" text NOT NULL,
  "recovery_id" text,
  "item_id" text,
  "status" text NOT NULL,
  "attempt" integer NOT NULL,
  "due_at" text NOT NULL,
  "ready_at" text,
  "provider" text,
  "model" text,
  "http_status" integer,
  "error_class" text,
  "retry_after_ms" integer,
  "error_message" text,
  "claimed_by" text,
  "claimed_at" text,
  "claim_expires_at" text,
  "claim_count" integer NOT NULL,
  "failed_claims" integer NOT NULL,
  "opened_at" text NOT NULL,
  "closed_at" text,
  "updated_at" text NOT NULL,
  CONSTRAINT "fk_recovery_job_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id")
)`,
  `CREATE INDEX "idx_recovery_job_ready" ON "recovery_job" ("ready_at", "job_id")`,
  `CREATE INDEX "idx_recovery_job_workspace_ready" ON "recovery_job" ("workspace_id", "ready_at", "job_id")`,
  `CREATE INDEX "idx_recovery_job_turn" ON "recovery_job" ("turn_id", "item_id")`,
  `CREATE TABLE "turn_attachment" (
  "attachment_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "thread_id" text NOT NULL,
  "turn_id" text NOT NULL,
  "file_name" text NOT NULL,
  "media_type" text NOT NULL,
  "size_bytes" integer NOT NULL,
  "sha256" text NOT NULL,
  "status" text NOT NULL,
  "upload_id" text,
  "artifact_id" text,
  "version_id" text,
  "failure_reason" text,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  CONSTRAINT "fk_turn_attachment_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_turn_attachment_thread" FOREIGN KEY ("thread_id") REFERENCES "thread" ("thread_id")
)`,
  `CREATE INDEX "idx_turn_attachment_turn" ON "turn_attachment" ("workspace_id", "turn_id", "created_at", "attachment_id")`,
];

const DOWN = [
  `DROP INDEX "idx_turn_attachment_turn"`,
  `DROP TABLE "turn_attachment"`,
  `DROP INDEX "idx_recovery_job_turn"`,
  `DROP INDEX "idx_recovery_job_workspace_ready"`,
  `DROP INDEX "idx_recovery_job_ready"`,
  `DROP TABLE "recovery_job"`,
  `DROP INDEX "idx_turn_llm_context_terminal"`,
  `DROP TABLE "turn_llm_context"`,
  `DROP INDEX "idx_turn_mcp_binding_server"`,
  `DROP TABLE "turn_mcp_binding"`,
  `DROP INDEX "idx_turn_skill_binding_skill"`,
  `DROP TABLE "turn_skill_binding"`,
  `DROP INDEX "idx_turn_prompt_manifest_prompt"`,
  `DROP TABLE "turn_prompt_manifest"`,
];

export const migration0004TurnRecords: Migration = {
  version: 4,
  name: 'turn_records',
  up: UP,
  down: DOWN,
  // Nothing here is SQLite-specific: PostgreSQL runs the same statements.
  postgres: { up: UP, down: DOWN },
};
