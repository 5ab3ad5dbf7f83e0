import type { Migration } from '../runner/types.js';

/**
 * gateway.db v8: bearer tokens. FROZEN: never edit after release.
 *
 * - `auth_token` holds what the gateway keeps of a token, never the bearer value: only its
 *   hex SHA-256 (`token_hash`), UNIQUE, so authenticating a handshake is one index seek.
 * - `kind` is `operator` or `workspace` (CHECK); `workspace_ids` the JSON array of the
 *   workspaces a `workspace` token may reach (`[]` for an operator token).
 * - `expires_at`, `revoked_at` NULL while the token is open-ended and live; a revocation is a
 *   stamp, never a DELETE, so lists and audits still name it. `created_by` is the token_id of
 *   the token that issued it (NULL: the operator's CLI).
 * - Lists page newest first, optionally by creator: `(created_at, token_id)` and
 *   `(created_by, created_at, token_id)`.
 *
 * The CHECK stands before the UNIQUE and on one line: TypeORM's SQLite schema reader finds
 * checks in the table's SQL by that shape, and the entity declares the same names.
 * PostgreSQL (`postgres`): the same statements; nothing here is dialect-specific.
 */
export const migration0008AuthTokens: Migration = {
  version: 8,
  name: 'auth_tokens',
  up: [
    `CREATE TABLE "auth_token" (
  "token_id" text PRIMARY KEY NOT NULL,
  "token_hash" text NOT NULL,
  "kind" text NOT NULL,
  "workspace_ids" text NOT NULL,
  "label" text NOT NULL,
  "created_at" text NOT NULL,
  "expires_at" text,
  "revoked_at" text,
  "created_by" text,
  CONSTRAINT "chk_auth_token_kind" CHECK ("kind" IN ('operator', 'workspace')),
  CONSTRAINT "uq_auth_token_hash" UNIQUE ("token_hash")
)`,
    `CREATE INDEX "idx_auth_token_created" ON "auth_token" ("created_at", "token_id")`,
    `CREATE INDEX "idx_auth_token_created_by" ON "auth_token" ("created_by", "created_at", "token_id")`,
  ],
  down: [`DROP INDEX "idx_auth_token_created_by"`, `DROP INDEX "idx_auth_token_created"`, `DROP TABLE "auth_token"`],
  postgres: {
    up: [
      `CREATE TABLE "auth_token" (
  "token_id" text PRIMARY KEY NOT NULL,
  "token_hash" text NOT NULL,
  "kind" text NOT NULL,
  "workspace_ids" text NOT NULL,
  "label" text NOT NULL,
  "created_at" text NOT NULL,
  "expires_at" text,
  "revoked_at" text,
  "created_by" text,
  CONSTRAINT "chk_auth_token_kind" CHECK ("kind" IN ('operator', 'workspace')),
  CONSTRAINT "uq_auth_token_hash" UNIQUE ("token_hash")
)`,
      `CREATE INDEX "idx_auth_token_created" ON "auth_token" ("created_at", "token_id")`,
      `CREATE INDEX "idx_auth_token_created_by" ON "auth_token" ("created_by", "created_at", "token_id")`,
    ],
    down: [`DROP INDEX "idx_auth_token_created_by"`, `DROP INDEX "idx_auth_token_created"`, `DROP TABLE "auth_token"`],
  },
};
