import { join } from 'node:path';
import { assertId } from '../ids.js';

/**
 * A runtime's working directory for a workspace (and, with `turn_id`, a turn's directory inside
 * it): `<base>/<workspace_id>[/<turn_id>]`. Derived every time from the base the caller
 * holds (the gateway's `<home>/work`), never stored, so the home stays movable. The ids are
 * checked first (`invalid_params`): with the blob store, this is the only code that turns an id
 * into a path.
 */
export function workingDirectory(base: string, ids: { workspace_id: string; turn_id?: string }): string {
  const workspace = assertId(ids.workspace_id, 'workspace_id');
  return ids.turn_id === undefined ? join(base, workspace) : join(base, workspace, assertId(ids.turn_id, 'turn_id'));
}
