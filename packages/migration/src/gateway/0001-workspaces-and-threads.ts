import type { Migration } from '../runner/types.js';

/**
 * gateway.db v1: workspaces, thread folders, threads. FROZEN: never edit after release (the
 * runner checks checksums); change the schema with a new migration.
 *
 * Written in the shape TypeORM itself emits for SQLite (quoted names, named inline
 * constraints) because TypeORM reads constraint names back by parsing this text: the crud
 * test that compares the entities with the migrated schema depends on it.
 *
 * Folder references are composite (workspace_id, folder_id) so that the database refuses a
 * thread or subfolder pointing into another workspace; UNIQUE (workspace_id, folder_id) on
 * thread_folder exists to be their target. Timestamps are ISO-8601 UTC text.
 *
 * PostgreSQL (`postgres`): the same tables, columns, keys and indexes. Constraint names are
 * read from the catalog there, not parsed from the text, so the layout is free; the primary
 * keys keep PostgreSQL's own names (`<table>_pkey`), which TypeORM does not compare.
 */
export const migration0001WorkspacesAndThreads: Migration = {
  version: 1,
  name: 'workspaces_and_threads',
  up: [
    `CREATE TABLE "workspace" (
  "workspace_id" text PRIMARY KEY NOT NULL,
  "name" text NOT NULL,
  "default_slot" text,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  CONSTRAINT "uq_workspace_default_slot" UNIQUE ("default_slot")
)`,
    `CREATE INDEX "idx_workspace_created" ON "workspace" ("created_at", "workspace_id")`,
    `CREATE TABLE "thread_folder" (
  "folder_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "parent_folder_id" text,
  "name" text NOT NULL,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  CONSTRAINT "uq_thread_folder_workspace_folder" UNIQUE ("workspace_id", "folder_id"),
  CONSTRAINT "fk_thread_folder_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_thread_folder_parent" FOREIGN KEY ("workspace_id", "parent_folder_id") REFERENCES "thread_folder" ("workspace_id", "folder_id")
)`,
    `CREATE INDEX "idx_thread_folder_parent" ON "thread_folder" ("workspace_id", "parent_folder_id", "name")`,
    `CREATE TABLE "thread" (
  "thread_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "folder_id" text,
  "title" text,
  "summary" text,
  "summary_updated_at" text,
  "status" text NOT NULL,
  "sandbox_policy" text NOT NULL,
  "forked_from_thread_id" text,
  "forked_from_turn_id" text,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  "last_activity_at" text NOT NULL,
  CONSTRAINT "fk_thread_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_thread_folder" FOREIGN KEY ("workspace_id", "folder_id") REFERENCES "thread_folder" ("workspace_id", "folder_id"),
  CONSTRAINT "fk_thread_forked_from" FOREIGN KEY ("forked_from_thread_id") REFERENCES "thread" ("thread_id")
)`,
    `CREATE INDEX "idx_thread_workspace_activity" ON "thread" ("workspace_id", "last_activity_at", "thread_id")`,
    `CREATE INDEX "idx_thread_folder_activity" ON "thread" ("workspace_id", "folder_id", "last_activity_at", "thread_id")`,
    `CREATE INDEX "idx_thread_status_activity" ON "thread" ("workspace_id", "status", "last_activity_at", "thread_id")`,
    `CREATE INDEX "idx_thread_forked_from" ON "thread" ("forked_from_thread_id")`,
  ],
  down: [
    `DROP INDEX "idx_thread_forked_from"`,
    `DROP INDEX "idx_thread_status_activity"`,
    `DROP INDEX "idx_thread_folder_activity"`,
    `DROP INDEX "idx_thread_workspace_activity"`,
    `DROP TABLE "thread"`,
    `DROP INDEX "idx_thread_folder_parent"`,
    `DROP TABLE "thread_folder"`,
    `DROP INDEX "idx_workspace_created"`,
    `DROP TABLE "workspace"`,
  ],
  postgres: {
    up: [
      `CREATE TABLE "workspace" (
  "workspace_id" text PRIMARY KEY NOT NULL,
  "name" text NOT NULL,
  "default_slot" text,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  CONSTRAINT "uq_workspace_default_slot" UNIQUE ("default_slot")
)`,
      `CREATE INDEX "idx_workspace_created" ON "workspace" ("created_at", "workspace_id")`,
      `CREATE TABLE "thread_folder" (
  "folder_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "parent_folder_id" text,
  "name" text NOT NULL,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  CONSTRAINT "uq_thread_folder_workspace_folder" UNIQUE ("workspace_id", "folder_id"),
  CONSTRAINT "fk_thread_folder_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_thread_folder_parent" FOREIGN KEY ("workspace_id", "parent_folder_id") REFERENCES "thread_folder" ("workspace_id", "folder_id")
)`,
      `CREATE INDEX "idx_thread_folder_parent" ON "thread_folder" ("workspace_id", "parent_folder_id", "name")`,
      `CREATE TABLE "thread" (
  "thread_id" text PRIMARY KEY NOT NULL,
  "workspace_id" text NOT NULL,
  "folder_id" text,
  "title" text,
  "summary" text,
  "summary_updated_at" text,
  "status" text NOT NULL,
  "sandbox_policy" text NOT NULL,
  "forked_from_thread_id" text,
  "forked_from_turn_id" text,
  "created_at" text NOT NULL,
  "updated_at" text NOT NULL,
  "last_activity_at" text NOT NULL,
  CONSTRAINT "fk_thread_workspace" FOREIGN KEY ("workspace_id") REFERENCES "workspace" ("workspace_id"),
  CONSTRAINT "fk_thread_folder" FOREIGN KEY ("workspace_id", "folder_id") REFERENCES "thread_folder" ("workspace_id", "folder_id"),
  CONSTRAINT "fk_thread_forked_from" FOREIGN KEY ("forked_from_thread_id") REFERENCES "thread" ("thread_id")
)`,
      `CREATE INDEX "idx_thread_workspace_activity" ON "thread" ("workspace_id", "last_activity_at", "thread_id")`,
      `CREATE INDEX "idx_thread_folder_activity" ON "thread" ("workspace_id", "folder_id", "last_activity_at", "thread_id")`,
      `CREATE INDEX "idx_thread_status_activity" ON "thread" ("workspace_id", "status", "last_activity_at", "thread_id")`,
      `CREATE INDEX "idx_thread_forked_from" ON "thread" ("forked_from_thread_id")`,
    ],
    down: [
      `DROP INDEX "idx_thread_forked_from"`,
      `DROP INDEX "idx_thread_status_activity"`,
      `DROP INDEX "idx_thread_folder_activity"`,
      `DROP INDEX "idx_thread_workspace_activity"`,
      `DROP TABLE "thread"`,
      `DROP INDEX "idx_thread_folder_parent"`,
      `DROP TABLE "thread_folder"`,
      `DROP INDEX "idx_workspace_created"`,
      `DROP TABLE "workspace"`,
    ],
  },
};
