import type { Migration } from '../runner/types.js';

/**
 * gateway.db v11: what artifact GC reads by index. FROZEN: never edit after release.
 *
 * - `idx_artifact_deleted` on `artifact (workspace_id, deleted_at)`: the artifacts of one
 *   workspace soft-deleted before a cutoff (`deleted_at` is NULL while an artifact is live, so
 *   a range on it reads only deleted ones), whose projections GC releases
 *   (`store.artifacts.staleProjections`).
 *
 * PostgreSQL (`postgres`): the same statements; nothing here is dialect-specific.
 */
export const migration0011ArtifactGc: Migration = {
  version: 11,
  name: 'artifact_gc',
  up: [`CREATE INDEX "idx_artifact_deleted" ON "artifact" ("workspace_id", "deleted_at")`],
  down: [`DROP INDEX "idx_artifact_deleted"`],
  postgres: {
    up: [`CREATE INDEX "idx_artifact_deleted" ON "artifact" ("workspace_id", "deleted_at")`],
    down: [`DROP INDEX "idx_artifact_deleted"`],
  },
};
