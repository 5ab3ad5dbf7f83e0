import { buffer } from 'node:stream/consumers';
import type { ArtifactReadResult } from '@cairn/protocol';
import { LIMITS } from '@cairn/protocol';
import type { CrudStore } from '@cairn/crud';
import type { ArtifactBlobStore } from '../blobs/blob-store.js';
import { artifactError } from '../errors.js';
import { isTextLike } from '../projections/media-types.js';
import { cutUtf8 } from '../projections/utf8-cut.js';

export interface ReadTextParams {
  workspace_id: string;
  artifact_id: string;
  version_id?: string;
  max_bytes?: number;
}

/**
 * Small text inline (`artifact/read`): a text-like version's own bytes, else its ready
 * `pdf_text` or `plain_text` projection; cut at `max_bytes` on a character boundary. Only the
 * needed prefix of a blob is read, verified when it is the whole blob.
 */
export async function readText(store: CrudStore, blobs: ArtifactBlobStore, params: ReadTextParams): Promise<ArtifactReadResult> {
  const max = Math.min(params.max_bytes ?? LIMITS.artifact.readMaxBytes, LIMITS.artifact.readMaxBytes);
  const { artifact, version, projections } = await store.artifacts.get({ workspace_id: params.workspace_id, artifact_id: params.artifact_id, ...(params.version_id === undefined ? {} : { version_id: params.version_id }) });
  const base = { artifact_id: artifact.artifact_id, version_id: version.version_id, mime_type: version.mime_type, size_bytes: version.size_bytes };
  if (isTextLike(version.mime_type, version.name)) {
    const whole = version.size_bytes <= max;
    const bytes =
      version.size_bytes === 0
        ? Buffer.alloc(0)
        : await buffer(await blobs.open(version.workspace_id, version.sha256, whole ? { verify: true } : { start: 0, end: Math.min(version.size_bytes, max + 3) - 1 }));
    const cut = cutUtf8(bytes, max, whole);
    if (cut !== undefined) return { ...base, source: 'blob', text: cut.text, truncated: cut.truncated };
  }
  for (const kind of ['pdf_text', 'plain_text'] as const) {
    const p = projections.find((x) => x.kind === kind && x.status === 'ready' && x.text !== null);
    if (p?.text != null) {
      const cut = cutUtf8(Buffer.from(p.text, 'utf8'), max, true)!;
      const cutBefore = typeof p.summary === 'object' && p.summary !== null && (p.summary as { truncated?: unknown }).truncated === true;
      return { ...base, source: kind, text: cut.text, truncated: cut.truncated || cutBefore };
    }
  }
  throw artifactError('invalid_params', 'the artifact has no text to read inline', { artifact_id: artifact.artifact_id, version_id: version.version_id, reason: 'not_text' });
}
