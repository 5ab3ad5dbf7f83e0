import { CairnError, type ArtifactUploadSession } from '@cairn/protocol';
import type { ArtifactService } from '@cairn/artifacts';
import type { CrudStore } from '@cairn/crud';
import type { GatewaySettings } from '@cairn/config';
import type { TransferPorts, UploadLookup } from './ports.js';

/** The blob store's upload temps, plus their local paths when the store has them (`LocalUploadTemps.pathsOf`). */
function temps(uploads: ArtifactService['blobs']['uploads']): TransferPorts['temps'] {
  const local = uploads as typeof uploads & { pathsOf?: (workspaceId: string, uploadId: string) => { payload: string } };
  return {
    open: (workspaceId, uploadId) => uploads.open(workspaceId, uploadId),
    remove: (workspaceId, uploadId) => uploads.remove(workspaceId, uploadId),
    list: () => uploads.list(),
    pathOf: typeof local.pathsOf === 'function' ? (workspaceId, uploadId) => local.pathsOf?.(workspaceId, uploadId).payload : () => undefined,
  };
}

/**
 * Binds the transfer layer to crud's upload-session rows (`store.artifacts`), the blob store's
 * upload temps and the `ArtifactService` (ingest and reads). The one place in `src/transfer`
 * that names those packages.
 */
export function transferPortsOf(store: CrudStore, artifacts: ArtifactService, settings: GatewaySettings): TransferPorts {
  const uploads = store.artifacts;
  /** The workspace of an upload id (a chunk names only the id): remembered from create and from every lookup that found it; forgotten when the session closes. */
  const workspaceOf = new Map<string, string>();
  const inWorkspace = async (workspaceId: string, uploadId: string): Promise<ArtifactUploadSession | undefined> => {
    try {
      return await uploads.getUploadSession({ workspace_id: workspaceId, upload_id: uploadId });
    } catch (error) {
      if (error instanceof CairnError && (error.code === 'not_found' || error.code === 'invalid_params')) return undefined;
      throw error;
    }
  };
  const find = async (uploadId: string, lookup: UploadLookup = { scan: true }): Promise<ArtifactUploadSession | undefined> => {
    const known = workspaceOf.get(uploadId);
    if (known !== undefined) return inWorkspace(known, uploadId);
    const candidates = lookup.workspace_id !== undefined ? [lookup.workspace_id] : [...(lookup.workspaces ?? [])];
    for (const workspaceId of candidates) {
      const session = await inWorkspace(workspaceId, uploadId);
      if (session) {
        workspaceOf.set(uploadId, session.workspace_id);
        return session;
      }
    }
    if (lookup.workspace_id !== undefined || !lookup.scan) return undefined;
    const open = await uploads.openUploadSessions();
    const hit = open.find((session) => session.upload_id === uploadId);
    if (!hit) return undefined;
    workspaceOf.set(uploadId, hit.workspace_id);
    return inWorkspace(hit.workspace_id, uploadId);
  };
  const workspace = async (uploadId: string): Promise<string> => {
    const session = await find(uploadId);
    if (!session) throw new CairnError('not_found', 'upload session not found', { details: { upload_id: uploadId } });
    return session.workspace_id;
  };
  return {
    rows: {
      async create(input) {
        const session = await uploads.createUploadSession({
          workspace_id: input.workspace_id,
          token_id: input.token_id,
          ...(input.thread_id === undefined ? {} : { thread_id: input.thread_id }),
          ...(input.turn_id === undefined ? {} : { turn_id: input.turn_id }),
          file_name: input.file_name,
          mime_type: input.mime_type,
          size_bytes: input.size_bytes,
          sha256: input.sha256,
          source_kind: input.source_kind as ArtifactUploadSession['source_kind'],
          chunk_size: input.chunk_size,
          expires_at: input.expires_at.toISOString(),
          quotas: settings.quotas,
        });
        workspaceOf.set(session.upload_id, session.workspace_id);
        return session;
      },
      get: async (uploadId, lookup) => {
        const session = await find(uploadId, lookup);
        return session ?? undefined;
      },
      async advance(input) {
        const result = await uploads.advanceUploadSession({ workspace_id: await workspace(input.upload_id), ...input });
        return result.ok;
      },
      async finish(input) {
        await uploads.finishUploadSession({ workspace_id: await workspace(input.upload_id), ...input });
        workspaceOf.delete(input.upload_id);
      },
      async abort(uploadId) {
        await uploads.abortUploadSession({ workspace_id: await workspace(uploadId), upload_id: uploadId });
        workspaceOf.delete(uploadId);
      },
      async expire(uploadId) {
        await uploads.expireUploadSession({ workspace_id: await workspace(uploadId), upload_id: uploadId });
        workspaceOf.delete(uploadId);
      },
      expired: (now, limit) => uploads.expiredUploadSessions({ now: now.toISOString(), limit }),
      open: () => uploads.openUploadSessions(),
    },
    temps: temps(artifacts.blobs.uploads),
    artifacts: {
      ingestUpload: (session, verified) =>
        artifacts.ingestUpload(
          {
            workspace_id: session.workspace_id,
            upload_id: session.upload_id,
            sha256: session.sha256,
            size_bytes: session.size_bytes,
            name: session.file_name,
            mime_type: session.mime_type,
            source_kind: session.source_kind as ArtifactUploadSession['source_kind'],
            bindings:
              session.thread_id === null
                ? []
                : [{ binding_kind: 'user_input', thread_id: session.thread_id, ...(session.turn_id === null ? {} : { turn_id: session.turn_id }) }],
          },
          { sha256_verified: verified },
        ),
      async refOf(workspaceId, versionId) {
        const v = await store.artifacts.getVersion({ workspace_id: workspaceId, version_id: versionId });
        return { artifact_id: v.artifact_id, version_id: v.version_id, workspace_id: v.workspace_id, sha256: v.sha256, size_bytes: v.size_bytes, name: v.name, mime_type: v.mime_type, kind: v.kind };
      },
      async resolve(workspaceId, artifactId, versionId) {
        const { artifact, version } = await store.artifacts.get({ workspace_id: workspaceId, artifact_id: artifactId, ...(versionId === undefined ? {} : { version_id: versionId }) });
        if (artifact.workspace_id !== workspaceId || version.workspace_id !== workspaceId) throw new CairnError('not_found', 'no such artifact in the workspace', { details: { artifact_id: artifactId } });
        if (artifact.status !== 'ready') {
          throw new CairnError('artifact_unavailable', `the artifact is ${artifact.status}`, { details: { artifact_id: artifactId, status: artifact.status } });
        }
        return {
          artifact_id: artifact.artifact_id,
          version_id: version.version_id,
          workspace_id: workspaceId,
          name: version.name,
          mime_type: version.mime_type,
          sha256: version.sha256,
          size_bytes: version.size_bytes,
        };
      },
      open: (target, range) => artifacts.blobs.open(target.workspace_id, target.sha256, range),
      maxArtifactBytes: () => settings.quotas.max_artifact_bytes,
    },
  };
}
