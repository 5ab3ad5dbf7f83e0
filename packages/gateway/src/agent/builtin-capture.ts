import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workingDirectory, type ArtifactService, type CaptureReport } from '@cairn/artifacts';
import type { Turn } from '@cairn/protocol';

/** One turn's working directory and capture session. */
export interface BuiltinTurnCapture {
  /** Writes a file the turn produced into its working directory (a name, never a path). */
  write(name: string, text: string): Promise<void>;
  /** Captures what the turn wrote (explicitly named, and found by the scan): bound to the thread and turn. */
  complete(): Promise<CaptureReport>;
}

export interface BuiltinCapture {
  begin(turn: Turn, itemId: string): Promise<BuiltinTurnCapture>;
}

/**
 * The built-in runtime's files: each workspace has a working directory under the runtime
 * home, `<home>/work/<workspace_id>` (a turn works in `<turn_id>/` inside it), derived from the home every time (nothing stores it,
 * so the home stays movable; `workingDirectory` checks the ids, one path component each that
 * cannot climb). A turn's capture session scans it, so what the turn
 * writes there becomes an artifact at turn completion.
 */
export function builtinCapture(options: { artifacts: ArtifactService; home: string }): BuiltinCapture {
  return {
    async begin(turn, itemId) {
      // The turn's own directory inside the workspace's: a concurrent turn's files are not new to this one's scan.
      const dir = workingDirectory(join(options.home, 'work'), { workspace_id: turn.workspace_id, turn_id: turn.turn_id });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const session = await options.artifacts.beginCapture({ workspace_id: turn.workspace_id, thread_id: turn.thread_id, turn_id: turn.turn_id, roots: [dir] });
      return {
        async write(name, text) {
          await writeFile(join(dir, name), text, { mode: 0o600, flag: 'w' });
          session.candidate(name, { item_id: itemId, source_kind: 'tool_output', mime_type: 'text/markdown', name: `${turn.turn_id}-${name}` });
        },
        complete: () => session.complete(),
      };
    },
  };
}
