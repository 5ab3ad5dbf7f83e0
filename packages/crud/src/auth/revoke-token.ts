import { AuthTokenRevokeParams, type AuthTokenRevokeResult } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { requireToken, toAuthToken } from './token-rows.js';

const REVOKE = 'UPDATE auth_token SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL';

/**
 * Stamps `revoked_at` (the row stays, for lists and audits). Idempotent: revoking a revoked
 * token answers it with `revoked: false`. The UPDATE is conditional, so of two concurrent
 * revokes exactly one reports `revoked: true` and the first stamp stays.
 */
export async function revokeToken(store: StoreContext, params: { token_id: string }): Promise<AuthTokenRevokeResult> {
  const p = parseParams(AuthTokenRevokeParams, params, 'auth/token/revoke');
  return store.write(async (ctx) => {
    const row = await requireToken(ctx, p.token_id);
    if (row.revoked_at !== null) return { token: toAuthToken(row), revoked: false };
    const now = store.now();
    const { changes } = await ctx.run(REVOKE, [now, p.token_id]);
    if (changes === 0) return { token: toAuthToken(await requireToken(ctx, p.token_id)), revoked: false };
    return { token: toAuthToken({ ...row, revoked_at: now }), revoked: true };
  });
}
