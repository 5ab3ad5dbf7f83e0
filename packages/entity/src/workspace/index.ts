import { WorkspaceEntity } from './workspace-entity.js';

export { DEFAULT_WORKSPACE_SLOT, WorkspaceEntity } from './workspace-entity.js';

export const WORKSPACE_ENTITIES = [WorkspaceEntity] as const;
