import { Type, type Static } from 'typebox';
import { Name, WorkspaceId } from '../common/ids.js';
import { PAGE_PARAMS, Page } from '../common/pagination.js';
import { defineMethods } from '../methods/define-methods.js';
import { Workspace } from './workspace.js';

const strict = { additionalProperties: false } as const;

export const WorkspaceListParams = Type.Object({ ...PAGE_PARAMS }, strict);
export const WorkspaceListResult = Page(Workspace);

export const WorkspaceCreateParams = Type.Object(
  {
    /** Optional client-chosen id (optimistic UI); generated when absent. Taken id: `conflict`. */
    workspace_id: Type.Optional(WorkspaceId),
    name: Name,
  },
  strict,
);
export const WorkspaceResult = Type.Object({ workspace: Workspace });

export const WorkspaceGetParams = Type.Object({ workspace_id: WorkspaceId }, strict);

/** Get-or-create of the one default workspace; idempotent. */
export const WorkspaceDefaultParams = Type.Object({}, strict);

export type WorkspaceListParams = Static<typeof WorkspaceListParams>;
export type WorkspaceListResult = Static<typeof WorkspaceListResult>;
export type WorkspaceCreateParams = Static<typeof WorkspaceCreateParams>;
export type WorkspaceGetParams = Static<typeof WorkspaceGetParams>;
export type WorkspaceDefaultParams = Static<typeof WorkspaceDefaultParams>;
export type WorkspaceResult = Static<typeof WorkspaceResult>;

export const workspaceMethods = defineMethods({
  'workspace/list': { params: WorkspaceListParams, result: WorkspaceListResult },
  'workspace/create': { params: WorkspaceCreateParams, result: WorkspaceResult },
  'workspace/get': { params: WorkspaceGetParams, result: WorkspaceResult },
  'workspace/default': { params: WorkspaceDefaultParams, result: WorkspaceResult },
});
