import { AuthTokenListParams, AuthTokenRevokeParams, LIMITS, TokenId, type AuthToken, type PageResult } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { decodeCursor, toPage } from '../pagination/cursor.js';
import type { StoreContext } from '../store/store-context.js';
import { TOKEN_COLUMNS, hashSecret, requireToken, toAuthToken, type TokenRecordRow } from './token-rows.js';

/** Longer than any bearer value this store issues (`cairn_` + 43): anything longer is refused unhashed. */
const SECRET_MAX_LENGTH = 512;

const BY_HASH = `SELECT ${TOKEN_COLUMNS} FROM auth_token WHERE token_hash = ?`;

/**
 * The token a bearer value names, if it is live: one seek on the unique hash index. Unknown,
 * revoked and expired (by the store's clock) all answer undefined, so a caller cannot tell
 * them apart. The lookup is by hash, so no comparison of secrets happens here to be timed;
 * the value itself goes nowhere but the hash function.
 */
export async function authenticateToken(store: StoreContext, secret: string): Promise<AuthToken | undefined> {
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > SECRET_MAX_LENGTH) return undefined;
  const row = await store.read((q) => q.get<TokenRecordRow>(BY_HASH, [hashSecret(secret)]));
  if (!row || row.revoked_at !== null) return undefined;
  if (row.expires_at !== null && row.expires_at <= store.now()) return undefined;
  return toAuthToken(row);
}

export async function getToken(store: StoreContext, params: { token_id: string }): Promise<AuthToken> {
  const p = parseParams(AuthTokenRevokeParams, params, 'auth/token/get');
  return toAuthToken(await store.read((q) => requireToken(q, p.token_id)));
}

/** `auth/token/list`'s params plus the filter a workspace token's listing needs: the tokens one token created. */
export interface TokenListParams {
  include_revoked?: boolean;
  limit?: number;
  cursor?: string;
  created_by?: string;
}

/**
 * Newest first, keyset on `(created_at DESC, token_id DESC)`; revoked tokens only with
 * `include_revoked`; expired ones are listed (their `expires_at` says so). The cursor is
 * bound to the filters.
 */
export async function listTokens(store: StoreContext, params: TokenListParams = {}): Promise<PageResult<AuthToken>> {
  const { created_by: createdBy, ...rest } = params ?? {};
  const p = parseParams(AuthTokenListParams, rest, 'auth/token/list');
  if (createdBy !== undefined) parseParams(TokenId, createdBy, 'auth/token/list');
  const includeRevoked = p.include_revoked === true;
  const filter = `tokens:${includeRevoked ? 'all' : 'live'}:${createdBy ?? ''}`;
  const limit = p.limit ?? LIMITS.pageDefault;
  const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, filter);
  const where: string[] = [];
  const args: unknown[] = [];
  if (createdBy !== undefined) {
    where.push('created_by = ?');
    args.push(createdBy);
  }
  if (!includeRevoked) where.push('revoked_at IS NULL');
  if (after) {
    where.push('(created_at < ? OR (created_at = ? AND token_id < ?))');
    args.push(after[0], after[0], after[1]);
  }
  // At most eight distinct statements (three optional clauses), each prepared once by the port.
  const sql = `SELECT ${TOKEN_COLUMNS} FROM auth_token${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, token_id DESC LIMIT ?`;
  const rows = await store.read((q) => q.all<TokenRecordRow>(sql, [...args, limit + 1]));
  return toPage(rows, limit, toAuthToken, (r) => [r.created_at, r.token_id], filter);
}
