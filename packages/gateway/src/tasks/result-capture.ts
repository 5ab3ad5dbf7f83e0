import type { ArtifactService } from '@cairn/artifacts';
import type { TaskExecution } from './executor.js';

/**
 * The longest result a run keeps inline: `store.tasks.completeRun` refuses a result whose JSON
 * is longer than 256 Ki characters (crud's bound), so the scheduler checks first.
 */
export const INLINE_RESULT_MAX_CHARS = 256 * 1024;

/** Stores a result too large to keep inline, answering what the run records instead. */
export type CaptureResult = (run: TaskExecution, result: Record<string, unknown>) => Promise<Record<string, unknown>>;

/**
 * `[capture] task_results`: a run's result over the inline bound becomes a JSON artifact
 * (`task-result-<run>.json`, source `task_result`) bound `task_result` to the run through the
 * artifact service (quotas apply), and the run records `{ result_artifact: ArtifactRef,
 * size_bytes }` in its place.
 */
export function captureResultAsArtifact(artifacts: ArtifactService): CaptureResult {
  return async (run, result) => {
    const bytes = Buffer.from(JSON.stringify(result), 'utf8');
    const ref = await artifacts.ingestBytes(
      {
        workspace_id: run.workspaceId,
        name: `task-result-${run.runId}.json`,
        mime_type: 'application/json',
        kind: 'json',
        source_kind: 'task_result',
        bindings: [{ binding_kind: 'task_result', task_run_id: run.runId }],
      },
      bytes,
    );
    return { result_artifact: ref, size_bytes: bytes.byteLength };
  };
}
