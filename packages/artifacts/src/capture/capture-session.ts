import { lstat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { ArtifactBindingInput, ArtifactRef, ArtifactSourceKind, BindingKind } from '@cairn/protocol';
import { isCairnError } from '@cairn/protocol';
import { artifactError } from '../errors.js';
import { assertId } from '../ids.js';
import { isRasterImage, mediaTypeFromName } from '../projections/media-types.js';
import type { ArtifactServiceSettings } from '../service/settings.js';
import { compileIgnore } from './ignore-list.js';
import { snapshotKey, snapshotRoots, type FileState, type Snapshot } from './snapshot-roots.js';

/** Directory entries one scan looks at, at most (per session, all roots together). */
export const CAPTURE_SCAN_MAX_ENTRIES = 100_000;

export interface BeginCaptureParams {
  workspace_id: string;
  thread_id: string;
  turn_id: string;
  /** Workspace roots the turn may write in (absolute; each is scanned at completion). */
  roots: string[];
}

/** What a caller knows about a file it names explicitly. */
export interface CaptureCandidateMeta {
  /** Which of the session's roots the path is relative to (default 0; an absolute path finds its root). */
  root?: number;
  name?: string;
  mime_type?: string;
  /** Default `agent_output` (tool output: `tool_output`, task result: `task_result`). */
  source_kind?: ArtifactSourceKind;
  item_id?: string;
  tool_call_id?: string;
  /** A new version of this artifact instead of a new artifact. */
  artifact_id?: string;
}

export interface CaptureReport {
  captured: ArtifactRef[];
  /** Files seen but not captured, and why (`max_files_per_turn`, `max_file_bytes`, `max_turn_bytes`, `disabled`, an error code). */
  skipped: { path: string; reason: string }[];
  /** The scan stopped at CAPTURE_SCAN_MAX_ENTRIES. */
  scan_truncated: boolean;
}

/** What the session needs from the service: ingest one file inside a root. */
export type CaptureIngest = (input: {
  workspace_id: string;
  root: string;
  path: string;
  name?: string;
  mime_type?: string;
  source_kind: ArtifactSourceKind;
  artifact_id?: string;
  bindings: ArtifactBindingInput[];
}) => Promise<ArtifactRef>;

const BINDING_OF_SOURCE: Partial<Record<ArtifactSourceKind, BindingKind>> = { tool_output: 'tool_output', task_result: 'task_result' };

interface Found {
  root: number;
  path: string;
  size_bytes: number;
  meta: CaptureCandidateMeta;
  explicit: boolean;
}

/**
 * One turn's capture: explicit candidates as the turn names them, and at `complete()` a scan
 * of the roots for files that are new since `begin` (and modified ones when
 * `modified_workspace_files` is on), honouring the ignore list, the `[capture]` switches and
 * the per-turn limits (files, bytes per file, bytes per turn). Every captured file is bound
 * to the thread and turn (and its item when named). A file that cannot be captured is
 * reported in `skipped`, never fails the turn.
 */
export class CaptureSession {
  readonly #params: BeginCaptureParams;
  readonly #settings: ArtifactServiceSettings['capture'];
  readonly #ingest: CaptureIngest;
  readonly #before: Snapshot;
  readonly #ignored: (path: string) => boolean;
  readonly #candidates = new Map<string, { root: number; path: string; meta: CaptureCandidateMeta }>();
  #completed = false;

  private constructor(params: BeginCaptureParams, settings: ArtifactServiceSettings['capture'], ingest: CaptureIngest, before: Snapshot) {
    this.#params = params;
    this.#settings = settings;
    this.#ingest = ingest;
    this.#before = before;
    this.#ignored = compileIgnore(settings.ignore);
  }

  static async begin(params: BeginCaptureParams, settings: ArtifactServiceSettings['capture'], ingest: CaptureIngest): Promise<CaptureSession> {
    assertId(params.workspace_id, 'workspace_id');
    assertId(params.thread_id, 'thread_id');
    assertId(params.turn_id, 'turn_id');
    if (params.roots.some((r) => !isAbsolute(r))) throw artifactError('invalid_params', 'capture roots must be absolute', { reason: 'relative_root' });
    const before = await snapshotRoots(params.roots, compileIgnore(settings.ignore), CAPTURE_SCAN_MAX_ENTRIES);
    return new CaptureSession(params, settings, ingest, before);
  }

  /** Names a file the turn produced (relative to a root, or absolute inside one). Validated at `complete()`. */
  candidate(path: string, meta: CaptureCandidateMeta = {}): void {
    if (this.#completed) throw artifactError('conflict', 'the capture session is complete', { reason: 'capture_complete' });
    let root = meta.root ?? 0;
    let rel = path;
    if (isAbsolute(path)) {
      const found = this.#params.roots.findIndex((r) => {
        const rel = relative(r, path);
        return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
      });
      if (found < 0) throw artifactError('invalid_params', 'the path is not inside a capture root', { path, reason: 'outside_roots' });
      root = found;
      rel = relative(this.#params.roots[found]!, path);
    }
    if (this.#params.roots[root] === undefined) throw artifactError('invalid_params', 'no capture root with that index', { root, reason: 'unknown_root' });
    rel = rel.split(sep).join('/');
    this.#candidates.set(snapshotKey(root, rel), { root, path: rel, meta });
  }

  async complete(): Promise<CaptureReport> {
    if (this.#completed) throw artifactError('conflict', 'the capture session is complete', { reason: 'capture_complete' });
    this.#completed = true;
    const settings = this.#settings;
    const after = await snapshotRoots(this.#params.roots, this.#ignored, CAPTURE_SCAN_MAX_ENTRIES);
    const found: Found[] = [];
    const skipped: CaptureReport['skipped'] = [];
    for (const [key, c] of this.#candidates) {
      // A candidate the scan did not see (an ignored directory): its size from the file itself, so the limits still hold.
      const size = after.files.get(key)?.size_bytes ?? (await lstat(join(this.#params.roots[c.root]!, c.path)).catch(() => undefined))?.size ?? 0;
      found.push({ root: c.root, path: c.path, size_bytes: size, meta: c.meta, explicit: true });
    }
    for (const [key, state] of after.files) {
      if (this.#candidates.has(key)) continue;
      const was = this.#before.files.get(key);
      const isNew = was === undefined;
      const isModified = !isNew && changed(was, state);
      if ((isNew && settings.new_workspace_files) || (isModified && settings.modified_workspace_files)) {
        found.push({ root: state.root, path: state.path, size_bytes: state.size_bytes, meta: {}, explicit: false });
      }
    }
    const captured: ArtifactRef[] = [];
    let turnBytes = 0;
    for (const file of found) {
      const label = this.#params.roots.length > 1 ? `${file.root}:${file.path}` : file.path;
      const source = file.meta.source_kind ?? (isRasterImage(file.meta.mime_type ?? mediaTypeFromName(file.path)) && file.explicit ? 'generated_media' : file.explicit ? 'agent_output' : 'workspace_file');
      if (!this.#enabled(source)) {
        skipped.push({ path: label, reason: 'disabled' });
        continue;
      }
      if (captured.length >= settings.max_files_per_turn) {
        skipped.push({ path: label, reason: 'max_files_per_turn' });
        continue;
      }
      if (file.size_bytes > settings.max_file_bytes) {
        skipped.push({ path: label, reason: 'max_file_bytes' });
        continue;
      }
      if (turnBytes + file.size_bytes > settings.max_turn_bytes) {
        skipped.push({ path: label, reason: 'max_turn_bytes' });
        continue;
      }
      try {
        const ref = await this.#ingest({
          workspace_id: this.#params.workspace_id,
          root: this.#params.roots[file.root]!,
          path: file.path,
          ...(file.meta.name === undefined ? {} : { name: file.meta.name }),
          ...(file.meta.mime_type === undefined ? {} : { mime_type: file.meta.mime_type }),
          ...(file.meta.artifact_id === undefined ? {} : { artifact_id: file.meta.artifact_id }),
          source_kind: source,
          bindings: [this.#binding(source, file.meta)],
        });
        // The file may have grown since the scan: the limit counts what was stored.
        turnBytes += ref.size_bytes;
        captured.push(ref);
      } catch (error) {
        if (!isCairnError(error)) throw error;
        skipped.push({ path: label, reason: error.code === 'invalid_params' ? String(error.details?.['reason'] ?? error.code) : error.code });
      }
    }
    return { captured, skipped, scan_truncated: this.#before.truncated || after.truncated };
  }

  #enabled(source: ArtifactSourceKind): boolean {
    const s = this.#settings;
    switch (source) {
      case 'workspace_file':
        return s.new_workspace_files || s.modified_workspace_files;
      case 'generated_media':
        return s.generated_media;
      case 'tool_output':
        return s.tool_outputs;
      case 'task_result':
        return s.task_results;
      case 'user_upload':
        return s.user_uploads;
      default:
        return true;
    }
  }

  #binding(source: ArtifactSourceKind, meta: CaptureCandidateMeta): ArtifactBindingInput {
    return {
      binding_kind: BINDING_OF_SOURCE[source] ?? 'agent_output',
      thread_id: this.#params.thread_id,
      turn_id: this.#params.turn_id,
      ...(meta.item_id === undefined ? {} : { item_id: meta.item_id }),
      ...(meta.tool_call_id === undefined ? {} : { tool_call_id: meta.tool_call_id }),
    };
  }
}

function changed(a: FileState, b: FileState): boolean {
  return a.size_bytes !== b.size_bytes || a.mtime_ms !== b.mtime_ms || a.ino !== b.ino;
}
