import { canReach, requireWorkspace } from '../../auth/principal.js';
import type { HandlerGroup } from '../router.js';

export const workspaceHandlers: HandlerGroup = {
  'workspace/list': {
    access: 'any',
    // A workspace token sees its own workspaces only; the page may then hold fewer items than `limit`.
    async handle(params, { services, principal }) {
      const page = await services.store.workspaces.list(params);
      return principal.operator ? page : { ...page, items: page.items.filter((w) => canReach(principal, w.workspace_id)) };
    },
  },
  'workspace/create': {
    access: 'operator',
    writes: true,
    handle: async (params, { services }) => ({ workspace: await services.store.workspaces.create(params) }),
  },
  'workspace/get': {
    access: 'workspace',
    handle: async (params, { services }) => ({ workspace: await services.store.workspaces.get(params) }),
  },
  'workspace/default': {
    access: 'any',
    async handle(_params, { services, principal }) {
      const workspace = await services.store.workspaces.ensureDefault();
      requireWorkspace(principal, workspace.workspace_id);
      return { workspace };
    },
  },
};
