import {
  CairnError,
  type Artifact,
  type ArtifactBinding,
  type ArtifactKind,
  type ArtifactProjection,
  type ArtifactSourceKind,
  type ArtifactStatus,
  type ArtifactVersion,
  type BindingDirection,
  type BindingKind,
  type BindingScope,
  type ProjectionKind,
  type ProjectionStatus,
} from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../store/store-context.js';

/*
 * The rows of the journaled artifact tables (`artifact`, `artifact_version`,
 * `artifact_binding`, `artifact_projection`) and their records. The ArtifactProjector is
 * their only writer, apart from the projection claim columns (bookkeeping).
 */

export interface ArtifactRow {
  artifact_id: string;
  workspace_id: string;
  name: string;
  kind: string;
  mime_type: string;
  status: string;
  restore_status: string | null;
  source_kind: string;
  current_version_id: string;
  version_count: number;
  sha256: string;
  size_bytes: number;
  thread_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  last_seq: number;
}

export const ARTIFACT_COLUMNS =
  'artifact_id, workspace_id, name, kind, mime_type, status, restore_status, source_kind, current_version_id, version_count, ' +
  'sha256, size_bytes, thread_id, created_at, updated_at, deleted_at, last_seq';

export function toArtifact(row: ArtifactRow): Artifact {
  return {
    artifact_id: row.artifact_id,
    workspace_id: row.workspace_id,
    name: row.name,
    kind: row.kind as ArtifactKind,
    mime_type: row.mime_type,
    status: row.status as ArtifactStatus,
    source_kind: row.source_kind as ArtifactSourceKind,
    current_version_id: row.current_version_id,
    version_count: Number(row.version_count),
    sha256: row.sha256,
    size_bytes: Number(row.size_bytes),
    thread_id: row.thread_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at,
  };
}

export interface VersionRow {
  version_id: string;
  artifact_id: string;
  workspace_id: string;
  version_number: number;
  sha256: string;
  size_bytes: number;
  name: string;
  mime_type: string;
  kind: string;
  source_kind: string;
  created_at: string;
}

export const VERSION_COLUMNS = 'version_id, artifact_id, workspace_id, version_number, sha256, size_bytes, name, mime_type, kind, source_kind, created_at';

export function toVersion(row: VersionRow): ArtifactVersion {
  return {
    version_id: row.version_id,
    artifact_id: row.artifact_id,
    workspace_id: row.workspace_id,
    version_number: Number(row.version_number),
    sha256: row.sha256,
    size_bytes: Number(row.size_bytes),
    name: row.name,
    mime_type: row.mime_type,
    kind: row.kind as ArtifactKind,
    source_kind: row.source_kind as ArtifactSourceKind,
    created_at: row.created_at,
  };
}

export interface BindingRow {
  binding_id: string;
  artifact_id: string;
  version_id: string | null;
  workspace_id: string;
  binding_kind: string;
  direction: string;
  scope: string;
  binding_key: string;
  thread_id: string | null;
  turn_id: string | null;
  message_id: string | null;
  item_id: string | null;
  tool_call_id: string | null;
  task_id: string | null;
  task_run_id: string | null;
  created_at: string;
}

export const BINDING_COLUMNS =
  'binding_id, artifact_id, version_id, workspace_id, binding_kind, direction, scope, binding_key, thread_id, turn_id, message_id, ' +
  'item_id, tool_call_id, task_id, task_run_id, created_at';

export function toBinding(row: BindingRow): ArtifactBinding {
  return {
    binding_id: row.binding_id,
    artifact_id: row.artifact_id,
    version_id: row.version_id,
    workspace_id: row.workspace_id,
    binding_kind: row.binding_kind as BindingKind,
    direction: row.direction as BindingDirection,
    scope: row.scope as BindingScope,
    thread_id: row.thread_id,
    turn_id: row.turn_id,
    message_id: row.message_id,
    item_id: row.item_id,
    tool_call_id: row.tool_call_id,
    task_id: row.task_id,
    task_run_id: row.task_run_id,
    created_at: row.created_at,
  };
}

/**
 * The canonical identity of a binding: what it ties (version pin, kind, direction, every
 * scope id). Two bindings with the same key are the same binding.
 */
export function bindingKeyOf(binding: Omit<ArtifactBinding, 'binding_id' | 'created_at' | 'scope' | 'artifact_id' | 'workspace_id'>): string {
  return JSON.stringify([
    binding.binding_kind,
    binding.direction,
    binding.version_id,
    binding.thread_id,
    binding.turn_id,
    binding.message_id,
    binding.item_id,
    binding.tool_call_id,
    binding.task_id,
    binding.task_run_id,
  ]);
}

export interface ProjectionRow {
  version_id: string;
  kind: string;
  artifact_id: string;
  workspace_id: string;
  status: string;
  text: string | null;
  blob_sha256: string | null;
  summary: string | null;
  error: string | null;
  attempts: number;
  claim_owner: string | null;
  claim_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export const PROJECTION_COLUMNS =
  'version_id, kind, artifact_id, workspace_id, status, text, blob_sha256, summary, error, attempts, claim_owner, claim_expires_at, created_at, updated_at';

export function toProjection(row: ProjectionRow): ArtifactProjection {
  return {
    version_id: row.version_id,
    artifact_id: row.artifact_id,
    workspace_id: row.workspace_id,
    kind: row.kind as ProjectionKind,
    status: row.status as ProjectionStatus,
    text: row.text,
    blob_sha256: row.blob_sha256,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as unknown),
    error: row.error,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const notFound = (what: string, details: Record<string, unknown>) => new CairnError('not_found', `${what} not found`, { details });

export function findArtifactAnywhere(q: ReadContext, artifactId: string): Promise<ArtifactRow | undefined> {
  return q.get<ArtifactRow>(`SELECT ${ARTIFACT_COLUMNS} FROM artifact WHERE artifact_id = ?`, [artifactId]);
}

/** The artifact if it belongs to `workspaceId`; another workspace's is reported exactly like a missing one. */
export async function requireArtifact(q: ReadContext, workspaceId: string, artifactId: string): Promise<ArtifactRow> {
  const row = await findArtifactAnywhere(q, artifactId);
  if (!row || row.workspace_id !== workspaceId) throw notFound('artifact', { workspace_id: workspaceId, artifact_id: artifactId });
  return row;
}

export function findVersionAnywhere(q: ReadContext, versionId: string): Promise<VersionRow | undefined> {
  return q.get<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM artifact_version WHERE version_id = ?`, [versionId]);
}

/** The version if it belongs to `workspaceId` (and to `artifactId` when given). */
export async function requireVersion(q: ReadContext, workspaceId: string, versionId: string, artifactId?: string): Promise<VersionRow> {
  const row = await findVersionAnywhere(q, versionId);
  if (!row || row.workspace_id !== workspaceId || (artifactId !== undefined && row.artifact_id !== artifactId)) {
    throw notFound('artifact version', { workspace_id: workspaceId, version_id: versionId, ...(artifactId ? { artifact_id: artifactId } : {}) });
  }
  return row;
}

/** Refuses an operation on an artifact whose status forbids it (`artifact_unavailable`, `details.status`). */
export function assertArtifactStatus(row: ArtifactRow, allowed: readonly ArtifactStatus[], operation: string): void {
  if (!(allowed as readonly string[]).includes(row.status)) {
    throw new CairnError('artifact_unavailable', `cannot ${operation} an artifact that is ${row.status}`, {
      details: { artifact_id: row.artifact_id, status: row.status, operation },
    });
  }
}

export async function insertArtifact(ctx: WriteContext, row: ArtifactRow): Promise<void> {
  await ctx.run(`INSERT INTO artifact (${ARTIFACT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.artifact_id,
    row.workspace_id,
    row.name,
    row.kind,
    row.mime_type,
    row.status,
    row.restore_status,
    row.source_kind,
    row.current_version_id,
    row.version_count,
    row.sha256,
    row.size_bytes,
    row.thread_id,
    row.created_at,
    row.updated_at,
    row.deleted_at,
    row.last_seq,
  ]);
}

export async function insertVersion(ctx: WriteContext, v: ArtifactVersion): Promise<void> {
  await ctx.run(`INSERT INTO artifact_version (${VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    v.version_id,
    v.artifact_id,
    v.workspace_id,
    v.version_number,
    v.sha256,
    v.size_bytes,
    v.name,
    v.mime_type,
    v.kind,
    v.source_kind,
    v.created_at,
  ]);
}

export async function insertBinding(ctx: WriteContext, b: ArtifactBinding): Promise<void> {
  await ctx.run(`INSERT INTO artifact_binding (${BINDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    b.binding_id,
    b.artifact_id,
    b.version_id,
    b.workspace_id,
    b.binding_kind,
    b.direction,
    b.scope,
    bindingKeyOf(b),
    b.thread_id,
    b.turn_id,
    b.message_id,
    b.item_id,
    b.tool_call_id,
    b.task_id,
    b.task_run_id,
    b.created_at,
  ]);
}
