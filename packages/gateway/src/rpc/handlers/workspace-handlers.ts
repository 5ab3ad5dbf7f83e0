import { decodeCursor, encodeCursor } from '@cairn/crud';
import { LIMITS, hasErrorCode, type Workspace, type WorkspaceListParams } from '@cairn/protocol';
import { requireWorkspace, type Principal } from '../../auth/principal.js';
import type { HandlerGroup } from '../router.js';
import type { GatewayServices } from '../services.js';

export const workspaceHandlers: HandlerGroup = {
  'workspace/list': {
    access: 'any',
    // A workspace token sees its own workspaces only, paged over them alone: a cursor of the
    // store's page would name its last row, which may be a workspace the token cannot reach.
    async handle(params, { services, principal }) {
      return principal.operator ? services.store.workspaces.list(params) : listReachable(params, principal, services);
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

const LIST_FILTER = 'workspaces';
const before = (a: Workspace, b: Workspace) => (a.created_at === b.created_at ? a.workspace_id < b.workspace_id : a.created_at < b.created_at);

async function listReachable(params: WorkspaceListParams, principal: Principal, services: GatewayServices): Promise<{ items: Workspace[]; next_cursor: string | null }> {
  const found = await Promise.all(
    [...principal.workspaces].map((workspace_id) =>
      services.store.workspaces.get({ workspace_id }).catch((error: unknown) => {
        if (hasErrorCode(error, 'not_found')) return undefined;
        throw error;
      }),
    ),
  );
  const sorted = found.filter((w): w is Workspace => w !== undefined).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  const after = params.cursor === undefined ? undefined : decodeCursor(params.cursor, LIST_FILTER);
  const rest = after ? sorted.filter((w) => w.created_at > after[0] || (w.created_at === after[0] && w.workspace_id > after[1])) : sorted;
  const limit = params.limit ?? LIMITS.pageDefault;
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rest.length > limit && last ? encodeCursor(LIST_FILTER, [last.created_at, last.workspace_id]) : null };
}
