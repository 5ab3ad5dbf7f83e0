import { Type, type Static } from 'typebox';
import { Name, Timestamp, WorkspaceId } from '../common/ids.js';

/** The unit of isolation: every thread, folder, turn, task and artifact belongs to exactly one. */
export const Workspace = Type.Object({
  workspace_id: WorkspaceId,
  name: Name,
  /** True for the one workspace `workspace/default` returns. */
  is_default: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Workspace = Static<typeof Workspace>;
