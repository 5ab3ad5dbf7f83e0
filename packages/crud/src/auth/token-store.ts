import type { AuthToken, AuthTokenRevokeResult, PageResult } from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import { issueToken, type TokenIssueParams, type TokenIssueResult } from './issue-token.js';
import { authenticateToken, getToken, listTokens, type TokenListParams } from './read-tokens.js';
import { revokeToken } from './revoke-token.js';

/**
 * `store.tokens`: the bearer tokens the gateway authenticates WebSocket handshakes with
 * (`auth_token`, migration 0008). gateway.db holds only each value's SHA-256; the value is
 * answered once, by `issue`. Who may issue or list what (an operator token, a workspace
 * token's subset) is the gateway's decision; this store checks only the shape and that the
 * named workspaces exist. Not journaled: tokens are not workspace state a client replays.
 */
export class TokenStore {
  readonly #store: StoreContext;

  constructor(store: StoreContext) {
    this.#store = store;
  }

  /** A new token and its bearer value (`cairn_` + 256 random bits, base64url). */
  issue(params: TokenIssueParams): Promise<TokenIssueResult> {
    return issueToken(this.#store, params);
  }

  /** The live token a bearer value names; undefined when unknown, revoked or expired. One indexed read. */
  authenticate(secret: string): Promise<AuthToken | undefined> {
    return authenticateToken(this.#store, secret);
  }

  get(params: { token_id: string }): Promise<AuthToken> {
    return getToken(this.#store, params);
  }

  /** Newest first; revoked ones only with `include_revoked`; `created_by` narrows to one issuer's tokens. */
  list(params?: TokenListParams): Promise<PageResult<AuthToken>> {
    return listTokens(this.#store, params);
  }

  /** Idempotent: `revoked: false` when it already was. */
  revoke(params: { token_id: string }): Promise<AuthTokenRevokeResult> {
    return revokeToken(this.#store, params);
  }
}
