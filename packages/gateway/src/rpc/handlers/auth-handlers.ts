import { CairnError } from '@cairn/protocol';
import { canReach } from '../../auth/principal.js';
import type { HandlerGroup } from '../router.js';

export const authHandlers: HandlerGroup = {
  'auth/token/create': {
    access: 'any',
    async handle(params, { services, principal }) {
      if (params.workspace_ids === undefined) {
        if (!principal.operator) throw new CairnError('forbidden_workspace', 'an operator token can only be created with an operator token');
      } else {
        for (const workspaceId of params.workspace_ids) {
          if (!canReach(principal, workspaceId)) {
            throw new CairnError('forbidden_workspace', "the token's scope does not include this workspace", { details: { workspace_id: workspaceId } });
          }
        }
      }
      return services.store.tokens.issue({
        kind: params.workspace_ids === undefined ? 'operator' : 'workspace',
        ...(params.workspace_ids === undefined ? {} : { workspace_ids: params.workspace_ids }),
        ...(params.label === undefined ? {} : { label: params.label }),
        ...(params.expires_in_seconds === undefined ? {} : { expires_in_seconds: params.expires_in_seconds }),
        created_by: principal.token.token_id,
      });
    },
  },
  'auth/token/list': {
    access: 'any',
    async handle(params, { services, principal }) {
      if (principal.operator) return services.store.tokens.list(params);
      // A workspace token sees the tokens it created, and itself on the first page.
      const page = await services.store.tokens.list({ ...params, created_by: principal.token.token_id });
      return params.cursor === undefined ? { ...page, items: [principal.token, ...page.items] } : page;
    },
  },
  'auth/token/revoke': {
    access: 'any',
    async handle(params, { services, principal }) {
      const token = await services.store.tokens.get({ token_id: params.token_id }).catch(() => undefined);
      const mayRevoke = token && (principal.operator || token.token_id === principal.token.token_id || token.created_by === principal.token.token_id);
      // Not allowed and unknown answer alike: a workspace token cannot probe for other tokens.
      if (!token || !mayRevoke) throw new CairnError('not_found', 'no such token', { details: { token_id: params.token_id } });
      const result = await services.store.tokens.revoke({ token_id: params.token_id });
      services.tokens.forget(params.token_id);
      // After this answer is sent: the caller may be revoking its own token.
      setImmediate(() => services.sessions.closeToken(params.token_id));
      return result;
    },
  },
  'auth/me': { access: 'any', handle: async (_params, { principal }) => ({ token: principal.token }) },
};
