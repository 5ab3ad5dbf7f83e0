import {
  ArtifactGetParams,
  ArtifactListMessageParams,
  ArtifactListParams,
  ArtifactListThreadParams,
  ArtifactListTurnParams,
  ArtifactVersionsParams,
  GetArtifactVersionParams,
  LIMITS,
  UsageParams,
  type Artifact,
  type ArtifactGetResult,
  type ArtifactListEntry,
  type ArtifactProjection,
  type ArtifactUsage,
  type ArtifactVersion,
  type PageResult,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { decodeCursor, toPage } from '../pagination/cursor.js';
import type { ReadContext, StoreContext } from '../store/store-context.js';
import { requireThread } from '../thread/thread-row.js';
import { requireTurnInWorkspace } from '../turn-records/turn-ref.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import {
  ARTIFACT_COLUMNS,
  BINDING_COLUMNS,
  PROJECTION_COLUMNS,
  VERSION_COLUMNS,
  requireArtifact,
  requireVersion,
  toArtifact,
  toBinding,
  toProjection,
  toVersion,
  type ArtifactRow,
  type BindingRow,
  type ProjectionRow,
  type VersionRow,
} from './artifact-rows.js';
import { readUsage } from './artifact-usage.js';

/** An artifact and one of its versions (the current one unless `version_id` names another), with that version's projections. */
export async function getArtifact(context: StoreContext, params: ArtifactGetParams): Promise<ArtifactGetResult> {
  const p = parseParams(ArtifactGetParams, params, 'artifacts.get');
  return context.read(async (q) => {
    const row = await requireArtifact(q, p.workspace_id, p.artifact_id);
    const version = await requireVersion(q, p.workspace_id, p.version_id ?? row.current_version_id, p.artifact_id);
    return { artifact: toArtifact(row), version: toVersion(version), projections: await projectionsOf(q, version.version_id) };
  });
}

/** One version by id, whatever version is current: old versions stay readable. */
export async function getArtifactVersion(context: StoreContext, params: GetArtifactVersionParams): Promise<ArtifactVersion> {
  const p = parseParams(GetArtifactVersionParams, params, 'artifacts.getVersion');
  return context.read(async (q) => toVersion(await requireVersion(q, p.workspace_id, p.version_id)));
}

/** The projections of one version, by kind. */
export async function getProjections(context: StoreContext, params: GetArtifactVersionParams): Promise<ArtifactProjection[]> {
  const p = parseParams(GetArtifactVersionParams, params, 'artifacts.getProjections');
  return context.read(async (q) => {
    await requireVersion(q, p.workspace_id, p.version_id);
    return projectionsOf(q, p.version_id);
  });
}

async function projectionsOf(q: ReadContext, versionId: string): Promise<ArtifactProjection[]> {
  const rows = await q.all<ProjectionRow>(`SELECT ${PROJECTION_COLUMNS} FROM artifact_projection WHERE version_id = ? ORDER BY kind`, [versionId]);
  return rows.map(toProjection);
}

const seqKey = (n: number) => String(n).padStart(16, '0');

/** An artifact's versions, newest first, keyset-paginated. */
export async function listVersions(context: StoreContext, params: ArtifactVersionsParams): Promise<PageResult<ArtifactVersion>> {
  const p = parseParams(ArtifactVersionsParams, params, 'artifacts.versions');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = JSON.stringify(['artifact_versions', p.workspace_id, p.artifact_id]);
  const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, filter);
  const rows = await context.read(async (q) => {
    await requireArtifact(q, p.workspace_id, p.artifact_id);
    const where = after ? ' AND version_number < ?' : '';
    return q.all<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM artifact_version WHERE artifact_id = ?${where} ORDER BY version_number DESC LIMIT ?`, [
      p.artifact_id,
      ...(after ? [Number(after[0])] : []),
      limit + 1,
    ]);
  });
  return toPage(rows, limit, toVersion, (r) => [seqKey(Number(r.version_number)), r.version_id], filter);
}

/**
 * A workspace's artifacts, newest first (`(workspace_id, created_at, artifact_id)`), without
 * the deleted ones unless `include_deleted` or `status: 'deleted'`.
 */
export async function listArtifacts(context: StoreContext, params: ArtifactListParams): Promise<PageResult<Artifact>> {
  const p = parseParams(ArtifactListParams, params, 'artifacts.list');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = JSON.stringify(['artifacts', p.workspace_id, p.kind ?? null, p.status ?? null, p.include_deleted === true]);
  const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, filter);
  const clauses = ['workspace_id = ?'];
  const args: unknown[] = [p.workspace_id];
  if (p.status !== undefined) {
    clauses.push('status = ?');
    args.push(p.status);
  } else if (p.include_deleted !== true) clauses.push("status <> 'deleted'");
  if (p.kind !== undefined) {
    clauses.push('kind = ?');
    args.push(p.kind);
  }
  if (after) {
    // A row-value comparison, so both databases seek the index to the cursor instead of filtering from its start.
    clauses.push('(created_at, artifact_id) < (?, ?)');
    args.push(after[0], after[1]);
  }
  const sql = `SELECT ${ARTIFACT_COLUMNS} FROM artifact WHERE ${clauses.join(' AND ')} ORDER BY created_at DESC, artifact_id DESC LIMIT ?`;
  const rows = await context.read(async (q) => {
    await requireWorkspace(q, p.workspace_id);
    return q.all<ArtifactRow>(sql, [...args, limit + 1]);
  });
  return toPage(rows, limit, toArtifact, (r) => [r.created_at, r.artifact_id], filter);
}

const JOINED_COLUMNS = [
  ...BINDING_COLUMNS.split(', ').map((c) => `b.${c}`),
  ...ARTIFACT_COLUMNS.split(', ').map((c) => `a.${c} AS a_${c}`),
].join(', ');

type JoinedRow = BindingRow & { [K in keyof ArtifactRow as `a_${K & string}`]: ArtifactRow[K] };

function entryOf(row: JoinedRow): ArtifactListEntry {
  const artifact = Object.fromEntries(ARTIFACT_COLUMNS.split(', ').map((c) => [c, (row as unknown as Record<string, unknown>)[`a_${c}`]])) as unknown as ArtifactRow;
  return { binding: toBinding(row), artifact: toArtifact(artifact) };
}

type ScopeColumn = 'thread_id' | 'turn_id' | 'message_id';

/**
 * One scope's bindings, oldest first, each with its artifact: a seek on
 * `(workspace_id, <scope>, created_at, binding_id)`, then the artifact by primary key.
 */
async function listBindings(
  context: StoreContext,
  scope: ScopeColumn,
  p: { workspace_id: string; id: string; direction?: string | undefined; include_deleted?: boolean | undefined; limit?: number | undefined; cursor?: string | undefined },
  check: (q: ReadContext) => Promise<unknown>,
): Promise<PageResult<ArtifactListEntry>> {
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = JSON.stringify(['artifact_bindings', scope, p.workspace_id, p.id, p.direction ?? null, p.include_deleted === true]);
  const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, filter);
  const clauses = ['b.workspace_id = ?', `b.${scope} = ?`];
  const args: unknown[] = [p.workspace_id, p.id];
  if (p.direction !== undefined) {
    clauses.push('b.direction = ?');
    args.push(p.direction);
  }
  if (p.include_deleted !== true) clauses.push("a.status <> 'deleted'");
  if (after) {
    // A row-value comparison, so both databases seek the index to the cursor instead of filtering from its start.
    clauses.push('(b.created_at, b.binding_id) > (?, ?)');
    args.push(after[0], after[1]);
  }
  const sql =
    `SELECT ${JOINED_COLUMNS} FROM artifact_binding b JOIN artifact a ON a.artifact_id = b.artifact_id ` +
    `WHERE ${clauses.join(' AND ')} ORDER BY b.created_at, b.binding_id LIMIT ?`;
  const rows = await context.read(async (q) => {
    await check(q);
    return q.all<JoinedRow>(sql, [...args, limit + 1]);
  });
  return toPage(rows, limit, entryOf, (r) => [r.created_at, r.binding_id], filter);
}

/**
 * Every binding naming the thread (at thread scope or narrower), oldest first. The thread
 * must exist in the workspace: a draft thread `thread/start` has not materialized is
 * `not_found`, as `thread/get` answers it.
 */
export async function listByThread(context: StoreContext, params: ArtifactListThreadParams): Promise<PageResult<ArtifactListEntry>> {
  const p = parseParams(ArtifactListThreadParams, params, 'artifacts.listByThread');
  return listBindings(context, 'thread_id', { ...p, id: p.thread_id }, (q) => requireThread(q, p.workspace_id, p.thread_id));
}

/** Every binding naming the turn (at turn scope or narrower), oldest first; the turn must exist (`not_found`). */
export async function listByTurn(context: StoreContext, params: ArtifactListTurnParams): Promise<PageResult<ArtifactListEntry>> {
  const p = parseParams(ArtifactListTurnParams, params, 'artifacts.listByTurn');
  return listBindings(context, 'turn_id', { ...p, id: p.turn_id }, (q) => requireTurnInWorkspace(q, p.workspace_id, p.turn_id));
}

/** Every binding naming the message, oldest first; a message nothing was bound to has none. */
export async function listByMessage(context: StoreContext, params: ArtifactListMessageParams): Promise<PageResult<ArtifactListEntry>> {
  const p = parseParams(ArtifactListMessageParams, params, 'artifacts.listByMessage');
  return listBindings(context, 'message_id', { ...p, id: p.message_id }, (q) => requireWorkspace(q, p.workspace_id));
}

/** The workspace's usage counters. */
export async function artifactUsage(context: StoreContext, params: UsageParams): Promise<ArtifactUsage> {
  const p = parseParams(UsageParams, params, 'artifacts.usage');
  return context.read(async (q) => {
    await requireWorkspace(q, p.workspace_id);
    return readUsage(q, p.workspace_id);
  });
}
