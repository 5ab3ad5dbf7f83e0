import type {
  Artifact,
  ArtifactBoundPayload,
  ArtifactCreatedPayload,
  ArtifactDeletedPayload,
  ArtifactProjectionUpdatedPayload,
  ArtifactRestoredPayload,
  ArtifactVersion,
  ArtifactVersionAddedPayload,
  ProjectionKind,
} from '@cairn/protocol';
import { NOOP_ALREADY_STARTED, NOOP_ALREADY_TERMINAL, applied, violation } from '../event-log/decision.js';
import type { Decision, Projector } from '../event-log/types.js';
import type { JournalEvent, PendingEvent } from '../journal/types.js';
import type { WriteContext } from '../port/types.js';
import { bindingKeyOf, findArtifactAnywhere, findVersionAnywhere, insertArtifact, insertBinding, insertVersion } from './artifact-rows.js';

/** The `artifact` stream's event types this projector writes read models for. */
export const ARTIFACT_PROJECTED_EVENTS = [
  'artifact.created',
  'artifact.version_added',
  'artifact.bound',
  'artifact.deleted',
  'artifact.restored',
  'artifact.projection_updated',
] as const;

/**
 * Keeps `artifact`, `artifact_version`, `artifact_binding` and `artifact_projection` in step
 * with the `artifact` stream. Every payload carries the records as the change left them, so a
 * write needs nothing but the event, and a rebuild from the journal gives the same rows (the
 * projection claim columns, bookkeeping of the workers, start over). `workspace.quota_warning`
 * is a fact with no table. Usage counters are not its business: the store's operations keep
 * them in the same transaction, and a rebuild reproduces the rows they count.
 */
export class ArtifactProjector implements Projector {
  readonly name = 'artifacts';
  readonly canHandle = ARTIFACT_PROJECTED_EVENTS;
  // Children before parents: a rebuild empties them in this order.
  readonly tables = ['artifact_projection', 'artifact_binding', 'artifact_version', 'artifact'];

  async decide(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
    switch (event.type) {
      case 'artifact.created':
        return this.#created(ctx, event, event.payload as ArtifactCreatedPayload);
      case 'artifact.version_added':
        return this.#versionAdded(ctx, event, event.payload as ArtifactVersionAddedPayload);
      case 'artifact.bound':
        return this.#bound(ctx, event, event.payload as ArtifactBoundPayload);
      case 'artifact.deleted':
        return this.#deleted(ctx, event, event.payload as ArtifactDeletedPayload);
      case 'artifact.restored':
        return this.#restored(ctx, event, event.payload as ArtifactRestoredPayload);
      case 'artifact.projection_updated':
        return this.#projectionUpdated(ctx, event, event.payload as ArtifactProjectionUpdatedPayload);
      default:
        return violation(`the artifact projector does not handle ${event.type}`);
    }
  }

  async #created(ctx: WriteContext, event: PendingEvent, p: ArtifactCreatedPayload): Promise<Decision> {
    const existing = await findArtifactAnywhere(ctx, event.streamId);
    if (existing) return NOOP_ALREADY_STARTED;
    if (p.artifact.artifact_id !== event.streamId || p.version.artifact_id !== event.streamId) return violation('artifact.created names another artifact than its stream');
    return applied(async (placed: JournalEvent) => {
      await insertArtifact(ctx, { ...p.artifact, restore_status: null, last_seq: placed.streamSeq });
      await insertVersion(ctx, p.version);
      await queueProjections(ctx, p.version, p.projections);
    });
  }

  async #versionAdded(ctx: WriteContext, event: PendingEvent, p: ArtifactVersionAddedPayload): Promise<Decision> {
    const row = await findArtifactAnywhere(ctx, event.streamId);
    if (!row) return violation(`artifact ${event.streamId} was never created`);
    if (await findVersionAnywhere(ctx, p.version.version_id)) return NOOP_ALREADY_STARTED;
    if (p.version.version_number !== row.version_count + 1) return violation(`version ${p.version.version_number} does not follow ${row.version_count}`);
    return applied(async (placed: JournalEvent) => {
      await insertVersion(ctx, p.version);
      await updateArtifact(ctx, p.artifact, placed.streamSeq);
      await queueProjections(ctx, p.version, p.projections);
    });
  }

  async #bound(ctx: WriteContext, event: PendingEvent, p: ArtifactBoundPayload): Promise<Decision> {
    const row = await findArtifactAnywhere(ctx, event.streamId);
    if (!row) return violation(`artifact ${event.streamId} was never created`);
    const same = await ctx.get('SELECT binding_id FROM artifact_binding WHERE artifact_id = ? AND binding_key = ?', [event.streamId, bindingKeyOf(p.binding)]);
    if (same) return NOOP_ALREADY_STARTED;
    return applied(async (placed: JournalEvent) => {
      await insertBinding(ctx, p.binding);
      // The first thread an artifact is bound to is where its later events are routed.
      if (row.thread_id === null && p.binding.thread_id !== null) {
        await ctx.run('UPDATE artifact SET thread_id = ?, last_seq = ? WHERE artifact_id = ?', [p.binding.thread_id, placed.streamSeq, event.streamId]);
      } else {
        await ctx.run('UPDATE artifact SET last_seq = ? WHERE artifact_id = ?', [placed.streamSeq, event.streamId]);
      }
    });
  }

  async #deleted(ctx: WriteContext, event: PendingEvent, p: ArtifactDeletedPayload): Promise<Decision> {
    const row = await findArtifactAnywhere(ctx, event.streamId);
    if (!row) return violation(`artifact ${event.streamId} was never created`);
    if (row.status === 'deleted') return NOOP_ALREADY_TERMINAL;
    return applied(async (placed: JournalEvent) => {
      await ctx.run('UPDATE artifact SET status = ?, restore_status = ?, deleted_at = ?, updated_at = ?, last_seq = ? WHERE artifact_id = ?', [
        'deleted',
        row.status,
        p.artifact.deleted_at,
        p.artifact.updated_at,
        placed.streamSeq,
        event.streamId,
      ]);
    });
  }

  async #restored(ctx: WriteContext, event: PendingEvent, p: ArtifactRestoredPayload): Promise<Decision> {
    const row = await findArtifactAnywhere(ctx, event.streamId);
    if (!row) return violation(`artifact ${event.streamId} was never created`);
    if (row.status !== 'deleted') return NOOP_ALREADY_STARTED;
    return applied(async (placed: JournalEvent) => {
      await ctx.run('UPDATE artifact SET status = ?, restore_status = NULL, deleted_at = NULL, updated_at = ?, last_seq = ? WHERE artifact_id = ?', [
        p.artifact.status,
        p.artifact.updated_at,
        placed.streamSeq,
        event.streamId,
      ]);
    });
  }

  async #projectionUpdated(ctx: WriteContext, event: PendingEvent, p: ArtifactProjectionUpdatedPayload): Promise<Decision> {
    const version = await findVersionAnywhere(ctx, p.projection.version_id);
    if (!version || version.artifact_id !== event.streamId) return violation(`version ${p.projection.version_id} is not a version of ${event.streamId}`);
    const pr = p.projection;
    const summary = pr.summary === null ? null : JSON.stringify(pr.summary);
    return applied(async () => {
      const { changes } = await ctx.run(
        'UPDATE artifact_projection SET status = ?, text = ?, blob_sha256 = ?, summary = ?, error = ?, updated_at = ?, claim_owner = NULL, claim_expires_at = NULL WHERE version_id = ? AND kind = ?',
        [pr.status, pr.text, pr.blob_sha256, summary, pr.error, pr.updated_at, pr.version_id, pr.kind],
      );
      if (changes === 0) {
        await ctx.run(
          'INSERT INTO artifact_projection (version_id, kind, artifact_id, workspace_id, status, text, blob_sha256, summary, error, attempts, claim_owner, claim_expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, ?, ?)',
          [pr.version_id, pr.kind, pr.artifact_id, pr.workspace_id, pr.status, pr.text, pr.blob_sha256, summary, pr.error, pr.created_at, pr.updated_at],
        );
      }
    });
  }
}

async function updateArtifact(ctx: WriteContext, a: Artifact, lastSeq: number): Promise<void> {
  await ctx.run(
    'UPDATE artifact SET name = ?, kind = ?, mime_type = ?, status = ?, source_kind = ?, current_version_id = ?, version_count = ?, sha256 = ?, size_bytes = ?, updated_at = ?, last_seq = ? WHERE artifact_id = ?',
    [a.name, a.kind, a.mime_type, a.status, a.source_kind, a.current_version_id, a.version_count, a.sha256, a.size_bytes, a.updated_at, lastSeq, a.artifact_id],
  );
}

async function queueProjections(ctx: WriteContext, v: ArtifactVersion, kinds: readonly ProjectionKind[]): Promise<void> {
  for (const kind of new Set(kinds)) {
    await ctx.run(
      "INSERT INTO artifact_projection (version_id, kind, artifact_id, workspace_id, status, text, blob_sha256, summary, error, attempts, claim_owner, claim_expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', NULL, NULL, NULL, NULL, 0, NULL, NULL, ?, ?)",
      [v.version_id, kind, v.artifact_id, v.workspace_id, v.created_at, v.created_at],
    );
  }
}
